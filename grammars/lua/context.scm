; `function M.new(...) ... end`, `local function f() ... end`, and function values
; (`M.f = function () ... end`). A function whose body is still empty (the moment one starts to
; write it) has no body node, so its scope ends at `end`.

[
  (function_declaration body: (block) @context.end)
  (function_definition body: (block) @context.end)
] @context

[
  (function_declaration !body "end" @context.end)
  (function_definition !body "end" @context.end)
] @context
