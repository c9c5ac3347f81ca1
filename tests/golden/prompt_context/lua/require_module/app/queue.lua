local M = {}

function M.new(size)  -- {{EXPECT}}
  return { items = {}, size = size or 16 }
end

function M.push(q, item)
  if #q.items >= q.size then
    return false
  end
  table.insert(q.items, item)
  return true
end

return M
