-- Drives Neovim 0.7-0.11 (and 0.12, for the snippet's vim.lsp.start path) headless after the `ghostfill setup neovim-legacy` snippet was loaded.
--   nvim --headless --clean -n -u neovim-legacy.lua -S nvim07_driver.lua
-- Env: GF_FILE (file to edit; the cursor goes to the end of its last line), GF_RESULT (JSON
-- lines out). Step 1 asks textDocument/completion directly; step 2 goes through the omnifunc
-- the snippet set, as a user pressing <C-x><C-o> would, and accepts the item.
local api = vim.api
local out = assert(io.open(assert(os.getenv('GF_RESULT')), 'w'))
local function now() return vim.loop.hrtime() / 1e6 end
local function emit(t)
  out:write(vim.fn.json_encode(t) .. '\n')
  out:flush()
end
local function finish(code, why)
  emit({ event = 'done', code = code, why = why, buffer = api.nvim_buf_get_lines(0, 0, -1, false) })
  out:close()
  vim.cmd(code == 0 and 'qa!' or 'cq!')
end
local function keys(s)
  api.nvim_feedkeys(api.nvim_replace_termcodes(s, true, false, true), 'mt', false)
end

vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('GF_FILE'))))
local buf = api.nvim_get_current_buf()
local t0 = now()
local client
local attached = vim.wait(20000, function()
  client = (vim.lsp.get_clients or vim.lsp.get_active_clients)()[1]
  return client ~= nil and client.initialized and vim.lsp.buf_is_attached(buf, client.id)
end, 10)
if not attached then
  finish(1, 'attach timeout')
  return
end
emit({ event = 'attached', name = client.name, ms = now() - t0, omnifunc = vim.bo[buf].omnifunc,
       version = vim.version() })

-- Step 1: the raw request at the end of the last line.
-- (Normal mode cannot put the cursor past the last character, so build the position by hand;
-- the sample is ASCII, where bytes and UTF-16 units agree.)
local last = api.nvim_buf_line_count(buf)
local text = api.nvim_buf_get_lines(buf, last - 1, last, false)[1]
local params = {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  position = { line = last - 1, character = #text },
}
local t1 = now()
local results = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 10000)
local items = {}
for _, res in pairs(results or {}) do
  local r = res.result or {}
  for _, item in ipairs(r.items or r) do table.insert(items, item) end
end
emit({ event = 'completion', ms = now() - t1, items = items })
if #items == 0 then
  finish(1, 'no completion items')
  return
end

-- Step 2: <C-x><C-o> at the end of the last line, then <C-y> accepts the selected item.
local function poll(pred, timeout_ms, on_ok, what)
  local start = now()
  local function step()
    local v = pred()
    if v then on_ok(v)
    elseif now() - start > timeout_ms then finish(1, 'timeout waiting for ' .. what)
    else vim.defer_fn(step, 5) end
  end
  step()
end
local t2 = now()
keys('GA<C-x><C-o>')
poll(function()
  -- Headless Neovim has no UI, so pumvisible() stays 0: look at the completion state.
  -- 0.7's omnifunc answers asynchronously through complete(), so the mode is 'eval'.
  local info = vim.fn.complete_info({ 'mode', 'items', 'selected' })
  return (info.mode == 'omni' or info.mode == 'eval') and #info.items > 0 and info
end, 10000, function(info)
  emit({ event = 'omnifunc', ms = now() - t2, items = info.items, selected = info.selected })
  keys('<C-y><Esc>')
  vim.defer_fn(function() finish(0, 'ok') end, 50)
end, 'the omnifunc popup')
