local queue = require("app.queue")

local function start(opts, item)
  print("starting worker")
  local q = queue.new(opts.size)
  -- {{CURSOR}}
end

return { start = start }
