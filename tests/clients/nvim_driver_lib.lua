-- What the Neovim 0.12 drivers share: JSON-line events out, a single `done`, keys fed as if
-- typed, and polling on timers (never vim.wait: a blocking wait plus feedkeys deadlocks).
--   local d = dofile(dir .. '/nvim_driver_lib.lua')(os.getenv('GF_RESULT'), extra)
-- `extra()` (optional) adds fields to the `done` event.
return function(result_path, extra)
  local api = vim.api
  local out = assert(io.open(assert(result_path), 'w'))
  local d = {}
  local finished = false
  function d.emit(t)
    out:write(vim.json.encode(t) .. '\n')
    out:flush()
  end
  function d.finish(code, why)
    if finished then return end
    finished = true
    d.emit(vim.tbl_extend('force', { event = 'done', code = code, why = why },
      extra and extra() or {}))
    out:close()
    vim.cmd(code == 0 and 'qa!' or 'cq!')
  end
  function d.now() return vim.uv.hrtime() / 1e6 end
  function d.keys(s)
    -- 'm': mappings apply (the snippet's <Tab>); 't': as if typed.
    api.nvim_feedkeys(api.nvim_replace_termcodes(s, true, false, true), 'mt', false)
  end
  function d.poll(pred, timeout_ms, on_ok, what)
    local t0 = d.now()
    local function step()
      local ok, v = pcall(pred)
      if ok and v then
        on_ok(v)
      elseif d.now() - t0 > timeout_ms then
        d.finish(1, 'timeout waiting for ' .. what .. (ok and '' or (': ' .. tostring(v))))
      else
        vim.defer_fn(step, 2)
      end
    end
    step()
  end
  -- :GhostfillStats, then `on_lines(lines)` with the split it opened.
  function d.ghostfill_stats(on_lines)
    vim.cmd('GhostfillStats')
    d.poll(function()
      local lines = api.nvim_buf_get_lines(0, 0, -1, false)
      return lines[1] and lines[1]:match('^ghostfill stats') and lines
    end, 5000, on_lines, ':GhostfillStats')
  end
  return d
end
