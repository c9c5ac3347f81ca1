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

-- Feedback for ghostfill's local stats (`ghostfill stats`; nothing leaves the machine):
-- accepting with <Tab> runs the item's ghostfill.didAccept command (Neovim does that itself);
-- <M-Right> accepts the next word and <M-Down> the rest of the line, and tell the server
-- (textDocument/didPartiallyAcceptCompletion). Neovim reports no "shown" event, so the
-- server counts each suggestion it served to Neovim as shown.
local function accept_part(pattern)
  return vim.lsp.inline_completion.get({
    on_accept = function(item)
      local text = type(item.insert_text) == 'string' and item.insert_text or item.insert_text.value
      local row, col = unpack(vim.api.nvim_win_get_cursor(0))
      local head = vim.api.nvim_get_current_line():sub(1, col)
      if text:sub(1, #head) ~= head then return end
      local rest = text:sub(#head + 1)
      local part = rest:match(pattern) or rest
      local client = vim.lsp.get_client_by_id(item.client_id)
      if part == rest then -- that was all of it: a full accept
        vim.api.nvim_paste(rest, false, -1)
        if client and item.command then client:exec_cmd(item.command, { bufnr = 0 }) end
        return
      end
      vim.api.nvim_buf_set_text(0, row - 1, col, row - 1, col, { part })
      vim.api.nvim_win_set_cursor(0, { row, col + #part })
      if client then
        client:notify('textDocument/didPartiallyAcceptCompletion', {
          item = { insertText = text, command = item.command },
          acceptedLength = #head + #part,
        })
      end
    end,
  })
end
vim.keymap.set('i', '<M-Right>', function() accept_part('^%s*[%w_]+') end,
  { desc = 'ghostfill: accept the next word of the suggestion' })
vim.keymap.set('i', '<M-Down>', function() accept_part('^[^\n]+') end,
  { desc = 'ghostfill: accept the rest of the line' })

-- :GhostfillStats [SINCE] shows the local stats (SINCE: 30m, 24h, 7d, 2w or a date).
vim.api.nvim_create_user_command('GhostfillStats', function(opts)
  local client = vim.lsp.get_clients({ name = 'ghostfill' })[1]
  if not client then
    vim.notify('ghostfill is not running in this buffer', vim.log.levels.WARN)
    return
  end
  local since = opts.args ~= '' and opts.args or nil
  client:request('ghostfill/stats', { since = since }, function(err, s)
    if err or not s then
      vim.notify('ghostfill stats: ' .. (err and err.message or 'no answer'), vim.log.levels.ERROR)
      return
    end
    local function pct(r) return r == vim.NIL and '-' or ('%d%%'):format(r * 100 + 0.5) end
    local function ms(v) return v == vim.NIL and '-' or ('%d ms'):format(v) end
    local lines = {
      ('ghostfill stats since %s'):format(s.since ~= vim.NIL and s.since or 'the beginning'),
      ('shown %d  accepted %d  partially accepted %d  acceptance rate %s'):format(
        s.shown, s.accepted, s.partial, pct(s.acceptanceRate)),
      ('characters accepted %d   time to ghost text p50 %s  p90 %s'):format(
        s.charsAccepted, ms(s.latencyMs.p50), ms(s.latencyMs.p90)),
      ('tokens %d (estimated)   cost $%.4f (estimated)'):format(s.tokens, s.cost),
      '', 'per day (shown / accepted):',
    }
    local top = 1
    for _, d in ipairs(s.days) do top = math.max(top, d.shown) end
    for _, d in ipairs(s.days) do
      table.insert(lines, ('  %s %5d %5d  %s'):format(d.day, d.shown, d.accepted,
        string.rep('#', math.floor(d.accepted * 40 / top)) ..
        string.rep('.', math.floor((d.shown - d.accepted) * 40 / top))))
    end
    table.insert(lines, '')
    table.insert(lines, 'per backend:')
    for _, b in ipairs(s.backends) do
      table.insert(lines, ('  %-18s %-24s %6d requests %9d tokens  $%.4f'):format(
        b.backend, b.model, b.requests, b.tokens, b.cost))
    end
    table.insert(lines, 'per language:')
    for _, l in ipairs(s.languages) do
      table.insert(lines, ('  %-12s shown %5d  accepted %5d  partial %4d  rate %4s  tokens %8d'):format(
        l.language, l.shown, l.accepted, l.partial, pct(l.acceptanceRate), l.tokens))
    end
    vim.cmd('botright new')
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].buftype, vim.bo[buf].bufhidden, vim.bo[buf].swapfile = 'nofile', 'wipe', false
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
    vim.bo[buf].modifiable = false
  end)
end, { nargs = '?', desc = 'ghostfill: local acceptance, latency, token and cost figures' })
