; A scope needs a body: `def helper; end` has none and is not a scope.

(class
  body: (body_statement) @context.end) @context

(module
  body: (body_statement) @context.end) @context

(singleton_class
  body: (body_statement) @context.end) @context

; The body of an endless `def name(args) = expr` is the expression.
[
  (method body: (_) @context.end)
  (singleton_method body: (_) @context.end)
] @context

; `describe "x" do ... end`, `items.each do |item| ... end`: the scope is the call.
(call
  block: (do_block
    body: (body_statement) @context.end)) @context

; While a body is still empty (`def name(args)` then `end`), there is no body node: the scope ends
; at `end`.
[
  (class !body "end" @context.end)
  (module !body "end" @context.end)
  (method !body "end" @context.end)
  (singleton_method !body "end" @context.end)
] @context
