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
      ('next edits: shown %d  accepted %d  dismissed %d  acceptance rate %s'):format(
        s.nextEdits.shown, s.nextEdits.accepted, s.nextEdits.dismissed,
        pct(s.nextEdits.acceptanceRate)),
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

-- Next edits: after you change something, ghostfill may propose the edit that follows (rename
-- one use of a name and the other uses follow; the same change on two sibling lines is offered
-- on the next). They are asked for in normal mode (after an edit, or when you leave insert mode)
-- with `textDocument/copilotInlineEdit` and shown as extmarks: the old text struck through
-- (GhostfillNextEditDelete), the new text inline after it (GhostfillNextEditInsert). In normal
-- mode <Tab> applies them all and <Esc> dismisses them; when the nearest edit is far from the
-- cursor a hint says so and <Tab> jumps there first. With nothing shown both keys keep their
-- usual meaning. `vim.g.ghostfill_next_edit = false` turns it off.
-- (copilot-lsp and sidekick.nvim can render the same request instead: see ghostfill's README.)
local next_edit = { ns = vim.api.nvim_create_namespace('ghostfill.nextedit'), shown = {},
  dismissed = {}, pending = {}, far_lines = 5 }
local function next_edit_highlights()
  local del = vim.api.nvim_get_hl(0, { name = 'DiffDelete', link = false })
  vim.api.nvim_set_hl(0, 'GhostfillNextEditDelete',
    { default = true, strikethrough = true, fg = del.fg, bg = del.bg })
  vim.api.nvim_set_hl(0, 'GhostfillNextEditInsert', { default = true, link = 'DiffAdd' })
  vim.api.nvim_set_hl(0, 'GhostfillNextEditHint', { default = true, link = 'Comment' })
end
next_edit_highlights()

local function next_edit_client(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'ghostfill' })[1]
end

function next_edit.clear(buf)
  next_edit.shown[buf] = nil
  if vim.api.nvim_buf_is_valid(buf) then vim.api.nvim_buf_clear_namespace(buf, next_edit.ns, 0, -1) end
end

-- (row, byte col) of an LSP position in `buf`.
local function next_edit_pos(buf, pos, encoding)
  local line = vim.api.nvim_buf_get_lines(buf, pos.line, pos.line + 1, false)[1] or ''
  local ok, col = pcall(vim.str_byteindex, line, encoding, pos.character, false)
  return pos.line, ok and col or #line
end

-- The edit nearest the cursor, and whether it is far (more than far_lines away, or off screen).
local function next_edit_target(s)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local best, dist
  for _, e in ipairs(s.edits) do
    local d = row < e.range.start.line and e.range.start.line - row
      or math.max(row - e.range['end'].line, 0)
    if not dist or d < dist then best, dist = e, d end
  end
  local line = best.range.start.line + 1
  local far = dist > next_edit.far_lines or line < vim.fn.line('w0') or line > vim.fn.line('w$')
  return best, far
end

function next_edit.render(buf)
  local s = next_edit.shown[buf]
  vim.api.nvim_buf_clear_namespace(buf, next_edit.ns, 0, -1)
  if not s then return end
  for _, e in ipairs(s.edits) do
    local sr, sc = next_edit_pos(buf, e.range.start, s.encoding)
    local er, ec = next_edit_pos(buf, e.range['end'], s.encoding)
    if sr ~= er or sc ~= ec then
      vim.api.nvim_buf_set_extmark(buf, next_edit.ns, sr, sc,
        { end_row = er, end_col = ec, hl_group = 'GhostfillNextEditDelete' })
    end
    if e.text ~= '' then
      local lines = vim.split(e.text, '\n', { plain = true })
      local virt_lines = {}
      for i = 2, #lines do virt_lines[#virt_lines + 1] = { { lines[i], 'GhostfillNextEditInsert' } } end
      vim.api.nvim_buf_set_extmark(buf, next_edit.ns, er, ec, {
        virt_text = { { lines[1], 'GhostfillNextEditInsert' } }, virt_text_pos = 'inline',
        virt_lines = #virt_lines > 0 and virt_lines or nil,
      })
    end
  end
  local target, far = next_edit_target(s)
  s.target = far and target or nil
  if far then
    local row = vim.api.nvim_win_get_cursor(0)[1] - 1
    vim.api.nvim_buf_set_extmark(buf, next_edit.ns, row, 0, {
      virt_text = { { ('  ⇥ Tab: jump to the next edit (line %d)'):format(target.range.start.line + 1),
        'GhostfillNextEditHint' } },
      virt_text_pos = 'eol',
    })
  end
end

function next_edit.request(buf)
  local client = next_edit_client(buf)
  if not client or vim.g.ghostfill_next_edit == false or buf ~= vim.api.nvim_get_current_buf()
    or vim.api.nvim_get_mode().mode ~= 'n' then
    return
  end
  local version = vim.lsp.util.buf_versions[buf]
  if next_edit.dismissed[buf] == version then return end -- turned down: not again for it
  if next_edit.pending[buf] then client:cancel_request(next_edit.pending[buf]) end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.textDocument.version = version
  local ok, id = client:request('textDocument/copilotInlineEdit', params, function(err, result)
    next_edit.pending[buf] = nil
    if err or not result or not vim.api.nvim_buf_is_valid(buf) then return end
    local edits = vim.tbl_filter(function(e) return e.textDocument.version == version end,
      result.edits or {})
    if #edits == 0 or vim.lsp.util.buf_versions[buf] ~= version
      or vim.api.nvim_get_mode().mode ~= 'n' then
      return
    end
    next_edit.shown[buf] = { version = version, edits = edits, command = edits[1].command,
      client_id = client.id, encoding = client.offset_encoding }
    next_edit.render(buf)
    if edits[1].command then
      client:notify('textDocument/didShowInlineEdit', { item = { command = edits[1].command } })
    end
  end, buf)
  next_edit.pending[buf] = ok and id or nil
end

-- <Tab>: jump to a far edit first, else apply them all and run the command (the server counts
-- it). The keymaps are <expr> (they fall through), so the work itself runs just after.
function next_edit.accept(buf)
  local s = next_edit.shown[buf]
  if not s or s.version ~= vim.lsp.util.buf_versions[buf] then return false end
  vim.schedule(function()
    if next_edit.shown[buf] ~= s then return end
    if s.target then
      local row, col = next_edit_pos(buf, s.target.range.start, s.encoding)
      vim.cmd("normal! m'")
      vim.api.nvim_win_set_cursor(0, { row + 1, col })
      next_edit.render(buf)
      return
    end
    next_edit.clear(buf)
    local client = vim.lsp.get_client_by_id(s.client_id)
    vim.lsp.util.apply_text_edits(vim.tbl_map(function(e)
      return { range = e.range, newText = e.text }
    end, s.edits), buf, s.encoding)
    if client and s.command then client:exec_cmd(s.command, { bufnr = buf }) end
  end)
  return true
end

-- <Esc>: turn it down (`ghostfill/didDismissInlineEdit`); it is not shown again for this version.
function next_edit.dismiss(buf)
  local s = next_edit.shown[buf]
  if not s then return false end
  next_edit.dismissed[buf] = s.version
  vim.schedule(function()
    next_edit.clear(buf)
    local client = vim.lsp.get_client_by_id(s.client_id)
    if client and s.command then
      client:notify('ghostfill/didDismissInlineEdit', { item = { command = s.command } })
    end
  end)
  next_edit.shown[buf] = nil
  return true
end

local next_edit_timer = assert(vim.uv.new_timer())
local next_edit_group = vim.api.nvim_create_augroup('ghostfill.nextedit', { clear = true })
vim.api.nvim_create_autocmd({ 'TextChanged', 'InsertLeave' }, {
  group = next_edit_group,
  callback = function(ev)
    next_edit.clear(ev.buf)
    next_edit_timer:start(75, 0, vim.schedule_wrap(function() next_edit.request(ev.buf) end))
  end,
})
vim.api.nvim_create_autocmd({ 'InsertEnter', 'TextChangedI', 'BufLeave' }, {
  group = next_edit_group,
  callback = function(ev) next_edit.clear(ev.buf) end,
})
vim.api.nvim_create_autocmd('CursorMoved', {
  group = next_edit_group,
  callback = function(ev) if next_edit.shown[ev.buf] then next_edit.render(ev.buf) end end,
})
vim.api.nvim_create_autocmd('ColorScheme', { group = next_edit_group, callback = next_edit_highlights })
vim.keymap.set('n', '<Tab>', function()
  if not next_edit.accept(vim.api.nvim_get_current_buf()) then return '<Tab>' end
end, { expr = true, desc = 'ghostfill: apply the next edit (or jump to it)' })
vim.keymap.set('n', '<Esc>', function()
  if not next_edit.dismiss(vim.api.nvim_get_current_buf()) then return '<Esc>' end
end, { expr = true, desc = 'ghostfill: dismiss the next edit' })
