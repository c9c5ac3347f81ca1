-- ghostfill for Neovim 0.12+: native LSP inline completion (ghost text).
-- Paste into init.lua (or save as plugin/ghostfill.lua). Needs `ghostfill` on PATH.
-- Older Neovim (0.7-0.11): `ghostfill setup neovim-legacy`.

vim.lsp.config('ghostfill', {
  cmd = { 'ghostfill', 'serve' },
  filetypes = {
    'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'rust',
    'java', 'c', 'cpp', 'cs', 'ruby', 'php', 'sh', 'bash', 'lua',
  },
  root_markers = { '.git' },
  -- The `ghostfill` settings section (README "Settings"); no backend = the offline engine.
  -- For a model, add e.g. backend = { provider = 'cerebras' } with the key in the
  -- CEREBRAS_API_KEY environment variable (`ghostfill backends` lists the presets).
  settings = { ghostfill = { completion = { enable = true } } },
  handlers = {
    -- The server streams on after answering and caches the longer continuation; it then
    -- sends ghostfill/completionReady. Ask again, so the full suggestion shows at once.
    ['ghostfill/completionReady'] = function(_, params, ctx)
      local bufnr = vim.uri_to_bufnr(params.uri)
      if bufnr ~= vim.api.nvim_get_current_buf() or not vim.api.nvim_get_mode().mode:match('^i') then
        return
      end
      if params.version and vim.lsp.util.buf_versions[bufnr] ~= params.version then
        return -- the user typed on; the next keystroke asks anyway
      end
      if params.position and vim.api.nvim_win_get_cursor(0)[1] ~= params.position.line + 1 then
        return
      end
      -- Neovim has no public "request inline completion now" call. Use the buffer's
      -- inline-completion state when it is there (no debounce); otherwise replay its
      -- cursor-moved autocmd (public API, adds Neovim's 200 ms debounce).
      local ok, cap = pcall(require, 'vim.lsp._capability')
      local proto = ok and cap.all and cap.all.inline_completion
      local completor = proto and proto.active and proto.active[bufnr]
      if completor and type(completor.request) == 'function' then
        completor:request(vim.lsp.protocol.InlineCompletionTriggerKind.Automatic)
      else
        pcall(vim.api.nvim_exec_autocmds, 'CursorMovedI', {
          group = ('nvim.lsp.inline_completion:%d'):format(bufnr),
          buffer = bufnr,
        })
      end
    end,
  },
})
vim.lsp.enable('ghostfill')
vim.lsp.inline_completion.enable()

-- <Tab> accepts the ghost text shown on the cursor's line; otherwise it is a normal <Tab>.
-- (Checking the line guards against a stale suggestion from a line you left with <Esc>.)
-- Prefer another key? Use e.g. '<C-y>' or '<M-l>' instead of '<Tab>'.
local ghost_ns = vim.api.nvim_create_namespace('nvim.lsp.inline_completion')
vim.keymap.set('i', '<Tab>', function()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local shown = #vim.api.nvim_buf_get_extmarks(0, ghost_ns, { row, 0 }, { row, -1 }, {}) > 0
  if not (shown and vim.lsp.inline_completion.get()) then
    return '<Tab>'
  end
end, { expr = true, desc = 'ghostfill: accept the inline suggestion' })
-- <M-]> / <M-[> cycle through suggestions when there are several.
vim.keymap.set('i', '<M-]>', function() vim.lsp.inline_completion.select({ count = 1 }) end,
  { desc = 'ghostfill: next suggestion' })
vim.keymap.set('i', '<M-[>', function() vim.lsp.inline_completion.select({ count = -1 }) end,
  { desc = 'ghostfill: previous suggestion' })
