-- Drives Neovim 0.12 headless through the next-edit renderer of the `ghostfill setup neovim`
-- snippet (loaded with -u): rename a parameter where the others are near (extmarks: old text
-- struck, new text inline; <Tab> applies), one far from the others (a jump hint; <Tab> jumps,
-- <Tab> applies), and one turned down with <Esc>. Env: GF_FILE, GF_RESULT (JSON lines out).
local api = vim.api
local ns = api.nvim_create_namespace('ghostfill.nextedit')
local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
local buf
local d = dofile(here .. 'nvim_driver_lib.lua')(os.getenv('GF_RESULT'), function()
  return { buffer = api.nvim_buf_get_lines(buf, 0, -1, false) }
end)
local emit, finish, keys, poll, now = d.emit, d.finish, d.keys, d.poll, d.now

vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('GF_FILE'))))
buf = api.nvim_get_current_buf()

-- What the renderer put on screen: inline virtual text, struck ranges, the jump hint.
local function shown()
  local out = { inserted = {}, struck = {}, hints = {} }
  for _, m in ipairs(api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
    local row, col, det = m[2], m[3], m[4]
    local text = ''
    for _, chunk in ipairs(det.virt_text or {}) do text = text .. chunk[1] end
    if det.virt_text_pos == 'inline' then
      table.insert(out.inserted, text)
    elseif det.virt_text_pos == 'eol' then
      table.insert(out.hints, text)
    end
    if det.hl_group == 'GhostfillNextEditDelete' then
      table.insert(out.struck,
        table.concat(api.nvim_buf_get_text(buf, row, col, det.end_row, det.end_col, {}), '\n'))
    end
  end
  return out
end
local function none(s) return #s.inserted == 0 and #s.struck == 0 and #s.hints == 0 end

local function line(n) return api.nvim_buf_get_lines(buf, n - 1, n, false)[1] end

-- Type `k` (a rename, ending in normal mode), wait for `pred(shown())`, report it as `name`.
local function rename(name, k, pred, after)
  local t0
  keys(k)
  vim.defer_fn(function()
    t0 = now()
    poll(function()
      local s = shown()
      return api.nvim_get_mode().mode == 'n' and pred(s) and s
    end, 10000, function(s)
      s.ms = now() - t0
      s.event = name
      s.cursor = api.nvim_win_get_cursor(0)[1]
      emit(s)
      after(s)
    end, name)
  end, 0)
end

local function dismiss()
  rename('dismiss_shown', '2G$ciwweight<Esc>', function(s)
    return vim.tbl_contains(s.inserted, 'weight')
  end, function()
    keys('<Esc>')
    poll(function() return none(shown()) end, 3000, function()
      keys('hl')
      vim.defer_fn(function()
        emit({ event = 'after_esc_moved', shown = shown(), line2 = line(2) })
        vim.cmd('write')
        d.ghostfill_stats(function(lines)
          emit({ event = 'stats', lines = lines })
          finish(0, 'ok')
        end)
      end, 600)
    end, 'esc to clear')
  end)
end

local function far()
  rename('far', 'G$ciwdelta<Esc>', function(s)
    return #s.hints == 1 and #s.inserted == 2
  end, function()
    keys('<Tab>')
    poll(function()
      local s = shown()
      return #s.hints == 0 and #s.inserted == 2 and api.nvim_win_get_cursor(0)[1]
    end, 3000, function(row)
      emit({ event = 'jumped', cursor = row })
      keys('<Tab>')
      poll(function() return none(shown()) and line(6):find('delta') end, 3000, function()
        emit({ event = 'far_applied', buffer = api.nvim_buf_get_lines(buf, 0, -1, false) })
        vim.defer_fn(dismiss, 200)
      end, 'far apply')
    end, 'jump')
  end)
end

poll(function()
  local c = vim.lsp.get_clients({ bufnr = buf, name = 'ghostfill' })[1]
  return c and c.initialized and c
end, 20000, function()
  vim.defer_fn(function()
    -- the cursor on `count` in `def scale(count, factor):`
    rename('near', 'ggf(lciwitems<Esc>', function(s)
      return #s.inserted == 2 and s.inserted[1] == 'items' and s.inserted[2] == 'items'
    end, function()
      keys('<Tab>')
      poll(function() return none(shown()) and line(3):find('items') end, 3000, function()
        emit({ event = 'near_applied', buffer = api.nvim_buf_get_lines(buf, 0, -1, false) })
        vim.defer_fn(far, 200)
      end, 'near apply')
    end)
  end, 50)
end, 'attach')
