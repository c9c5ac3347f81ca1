-- Golden file for the lua queries: markers in tests/golden/annotated.py

local json = require("json") -- {{IMPORT json}} {{DEF variable json}}
local util = require "util" -- {{IMPORT util}} {{DEF variable util}}
require("setup") -- {{IMPORT setup}}

local M = {} -- {{DEF constant M}}
local MAX_ITEMS = 10 -- {{DEF constant MAX_ITEMS}}
count = 0 -- {{DEF variable count}}

-- {{TEST module function}}
function M.new(name) -- {{CONTEXT}} {{DEF function new}}
  -- {{CURSOR}}
  return setmetatable({ name = name, items = {} }, { __index = M }) -- {{REF call setmetatable}}
end

-- {{TEST anonymous function in a method}}
function M:get(key) -- {{CONTEXT}} {{DEF method get}}
  local decode = function(raw) -- {{CONTEXT}} {{DEF function decode}}
    return json.decode(raw) -- {{CURSOR}} {{REF call decode}}
  end
  return decode(self.items[key])
end

-- {{TEST function with an empty body}}
local function helper(a, b) -- {{CONTEXT}} {{DEF function helper}}
  -- {{CURSOR}}
end

M.handlers = { -- fields of a table are not indexed, functions in it are
  save = function(doc) return util.write(doc) end, -- {{DEF function save}} {{REF call write}}
}

M.on_close = function() end -- {{DEF function on_close}}

return M
