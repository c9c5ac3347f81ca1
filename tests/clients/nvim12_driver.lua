-- Drives Neovim 0.12 headless after the `ghostfill setup neovim` snippet was loaded with -u.
--   nvim --headless --clean -n -u neovim.lua -S nvim12_driver.lua
-- Env: GF_FILE (the file to edit), GF_RESULT (JSON lines out), GF_MODE (latency | ready),
--      GF_RUNS (latency runs), GF_TYPE (text typed per run; %d = run number).
-- Only timers, never vim.wait: a blocking wait plus feedkeys deadlocks Neovim.
local api = vim.api
local ns = api.nvim_create_namespace('nvim.lsp.inline_completion')
local METHOD_READY = 'ghostfill/completionReady'
local mode = os.getenv('GF_MODE') or 'latency'
local runs = tonumber(os.getenv('GF_RUNS') or '10')
local typed_fmt = os.getenv('GF_TYPE') or 'x%d'
local counts = { inline = 0, ready = 0 }

local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
local d = dofile(here .. 'nvim_driver_lib.lua')(os.getenv('GF_RESULT'), function()
  return { counts = counts, buffer = api.nvim_buf_get_lines(0, 0, -1, false) }
end)
local emit, finish, now, keys, poll = d.emit, d.finish, d.now, d.keys, d.poll

--- The ghost text on the cursor's line: its first line and any virt_lines below it.
--- (Only the cursor's line: Neovim 0.12-dev does not stop its 200 ms debounce timer on
--- InsertLeave, so a request fired just before <Esc> can leave a mark on an older line.)
local function ghost()
  local row = api.nvim_win_get_cursor(0)[1] - 1
  local marks = api.nvim_buf_get_extmarks(0, ns, { row, 0 }, { row, -1 }, { details = true })
  if #marks == 0 then return nil end
  local d = marks[1][4]
  local text = ''
  for _, chunk in ipairs(d.virt_text or {}) do text = text .. chunk[1] end
  local lines = { text }
  for _, vl in ipairs(d.virt_lines or {}) do
    local s = ''
    for _, chunk in ipairs(vl) do s = s .. chunk[1] end
    table.insert(lines, s)
  end
  return { text = text, lines = lines, row = marks[1][2], col = marks[1][3] }
end

-- Count completionReady notifications while keeping the snippet's handler.
local snippet_ready = vim.lsp.config.ghostfill.handlers[METHOD_READY]
vim.lsp.config('ghostfill', {
  on_exit = function(code, signal)
    vim.schedule(function() finish(1, ('server exited: code %s, signal %s'):format(code, signal)) end)
  end,
  handlers = {
    [METHOD_READY] = function(err, params, ctx)
      counts.ready = counts.ready + 1
      emit({ event = 'completionReady', t = now(), params = params })
      return snippet_ready(err, params, ctx)
    end,
  },
})

vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('GF_FILE'))))
local buf = api.nvim_get_current_buf()

local function count_requests(client)
  local orig = client.request
  client.request = function(self, method, ...)
    if method == 'textDocument/inlineCompletion' then counts.inline = counts.inline + 1 end
    return orig(self, method, ...)
  end
end

-- latency: N times: open a new line, type, wait for ghost text, <Tab> accepts, <Esc>.
local function latency_run(i)
  if i > runs then
    -- <Tab> with no suggestion showing must stay a normal <Tab>.
    local before = api.nvim_buf_line_count(buf)
    keys('o<Tab>')
    vim.defer_fn(function()
      emit({ event = 'tab_fallback', line = api.nvim_get_current_line(),
             lines_added = api.nvim_buf_line_count(buf) - before })
      keys('<Esc>')
      vim.defer_fn(function() finish(0, 'ok') end, 20)
    end, 50)
    return
  end
  local typed = typed_fmt:format(i)
  local t0 = now()
  keys('Go' .. typed)
  -- (the keys are processed after this callback returns: until then the cursor is elsewhere)
  poll(function()
    return api.nvim_get_current_line() == typed and api.nvim_get_mode().mode == 'i' and ghost()
  end, 10000, function(g)
    local ms = now() - t0
    local row = api.nvim_win_get_cursor(0)[1]
    keys('<Tab>')
    poll(function()
      local line = api.nvim_buf_get_lines(buf, row - 1, row, false)[1]
      return line ~= typed and line
    end, 3000, function(line)
      emit({ event = 'run', i = i, typed = typed, ghost_ms = ms, ghost = g.lines,
             accepted = api.nvim_buf_get_lines(buf, row - 1, -1, false) })
      keys('<Esc>')
      -- let the request that accepting triggered (debounced 200 ms) come and go
      vim.defer_fn(function() latency_run(i + 1) end, 300)
    end, 'accept of run ' .. i)
  end, 'ghost text of run ' .. i)
end

-- ready: type once; the first ghost text comes from the early answer, then (with no further
-- keypress) completionReady makes the snippet re-request and the longer text replaces it.
local function ready_run()
  local typed = typed_fmt:format(1)
  local before = api.nvim_buf_get_lines(buf, 0, -1, false)
  local t0 = now()
  keys('Go' .. typed)
  poll(function()
    return api.nvim_get_mode().mode == 'i' and api.nvim_win_get_cursor(0)[1] == 1 + #before and ghost()
  end, 10000, function(first)
    local first_ms = now() - t0
    local first_requests = counts.inline
    emit({ event = 'first', ghost_ms = first_ms, ghost = first.lines })
    poll(function()
      local g = ghost()
      return g and #g.lines > #first.lines and g
    end, 15000, function(full)
      emit({ event = 'full', ghost_ms = now() - t0, ghost = full.lines,
             requests_before = first_requests, requests = counts.inline })
      local row = api.nvim_win_get_cursor(0)[1]
      keys('<Tab>')
      poll(function()
        return api.nvim_buf_line_count(buf) > row and true
      end, 3000, function()
        keys('<Esc>')
        vim.defer_fn(function() finish(0, 'ok') end, 20)
      end, 'multi-line accept')
    end, 'longer ghost text after completionReady')
  end, 'first ghost text')
end

poll(function()
  local c = vim.lsp.get_clients({ bufnr = buf, name = 'ghostfill' })[1]
  return c and c.initialized and c
end, 20000, function(client)
  count_requests(client)
  emit({ event = 'attached', name = client.name, t = now(),
         inline = client:supports_method('textDocument/inlineCompletion') })
  -- Warm up: the first request of a session pays for imports and backend connection setup.
  vim.defer_fn(function()
    if mode == 'ready' then ready_run() else latency_run(1) end
  end, 50)
end, 'attach')
