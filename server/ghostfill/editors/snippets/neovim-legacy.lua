-- ghostfill for Neovim 0.7-0.11: no inline ghost text before 0.12, so suggestions come
-- through textDocument/completion as one item labelled "ghostfill".
-- Paste into init.lua. Needs `ghostfill` on PATH; no plugin required (nvim-lspconfig-free).
--   0.7-0.10: <C-x><C-o> in insert mode (omnifunc) shows the suggestion.
--   0.11:     the built-in completion menu pops it up as you type (unless nvim-cmp is loaded).
--   nvim-cmp: with cmp-nvim-lsp installed it appears among the LSP items; add
--             capabilities = require('cmp_nvim_lsp').default_capabilities() to `config` below.
-- Neovim 0.12+ shows real ghost text: `ghostfill setup neovim`.

local config = {
  name = 'ghostfill',
  cmd = { 'ghostfill', 'serve' },
  -- The `ghostfill` settings section (README "Settings"); no backend = the offline engine.
  settings = { ghostfill = { completion = { enable = true } } },
  on_attach = function(client, bufnr)
    vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
    if vim.lsp.completion and not package.loaded['cmp'] then -- 0.11
      vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = true })
    end
  end,
}
local filetypes = {
  'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'rust',
  'java', 'c', 'cpp', 'cs', 'ruby', 'php', 'sh', 'bash', 'lua',
}

local function root_of(bufnr)
  local git = vim.fn.finddir('.git', vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h') .. ';')
  return git ~= '' and vim.fn.fnamemodify(git, ':p:h:h') or vim.fn.getcwd()
end

local client_id -- 0.7 has no vim.lsp.start: one client, attached to every matching buffer
vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('ghostfill', { clear = true }),
  pattern = filetypes,
  callback = function(args)
    local cfg = vim.tbl_extend('force', config, { root_dir = root_of(args.buf) })
    if vim.lsp.start then -- 0.8+
      vim.lsp.start(cfg, { bufnr = args.buf })
      return
    end
    if not (client_id and vim.lsp.get_client_by_id(client_id)) then
      client_id = vim.lsp.start_client(cfg)
    end
    if client_id then
      vim.lsp.buf_attach_client(args.buf, client_id)
    end
  end,
})

-- :GhostfillStats [SINCE] shows ghostfill's local stats (acceptance, latency, tokens, cost)
-- in a terminal split; SINCE is 30m, 24h, 7d, 2w or a date. Nothing leaves the machine.
vim.api.nvim_create_user_command('GhostfillStats', function(opts)
  local since = ''
  if opts.args ~= '' then
    since = ' --since ' .. vim.fn.shellescape(opts.args)
  end
  vim.cmd('botright split | terminal ghostfill stats' .. since)
end, { nargs = '?' })
