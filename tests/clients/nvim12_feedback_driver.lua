-- Drives Neovim 0.12 headless after the `ghostfill setup neovim` snippet (-u): one suggestion
-- accepted with <Tab> (Neovim runs its ghostfill.didAccept command), one taken a word at a
-- time with <M-Right> (didPartiallyAcceptCompletion), then :GhostfillStats.
-- Env: GF_FILE, GF_RESULT (JSON lines out).
local api = vim.api
local ns = api.nvim_create_namespace('nvim.lsp.inline_completion')
local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
local d = dofile(here .. 'nvim_driver_lib.lua')(os.getenv('GF_RESULT'))
local emit, finish, keys, poll = d.emit, d.finish, d.keys, d.poll
local function ghost()
  local row = api.nvim_win_get_cursor(0)[1] - 1
  return #api.nvim_buf_get_extmarks(0, ns, { row, 0 }, { row, -1 }, {}) > 0
end

vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('GF_FILE'))))
local buf = api.nvim_get_current_buf()

local function typed_and_shown(typed)
  return function()
    return api.nvim_get_current_line() == typed and api.nvim_get_mode().mode == 'i' and ghost()
  end
end

local function stats()
  keys('<Esc>')
  vim.defer_fn(function()
    d.ghostfill_stats(function(lines)
      emit({ event = 'stats', lines = lines })
      finish(0, 'ok')
    end)
  end, 300)
end

local function partial()
  keys('<Esc>Gov2')
  poll(typed_and_shown('v2'), 10000, function()
    keys('<M-Right>')
    poll(function()
      local line = api.nvim_get_current_line()
      return line ~= 'v2' and line
    end, 3000, function(line)
      emit({ event = 'partial', line = line })
      vim.defer_fn(stats, 300)
    end, 'word accept')
  end, 'second ghost text')
end

poll(function()
  local c = vim.lsp.get_clients({ bufnr = buf, name = 'ghostfill' })[1]
  return c and c.initialized and c
end, 20000, function()
  vim.defer_fn(function()
    keys('Gov1')
    poll(typed_and_shown('v1'), 10000, function()
      keys('<Tab>')
      poll(function()
        local line = api.nvim_get_current_line()
        return line ~= 'v1' and line
      end, 3000, function(line)
        emit({ event = 'accepted', line = line })
        vim.defer_fn(partial, 300)
      end, 'accept')
    end, 'first ghost text')
  end, 50)
end, 'attach')
