; `name() { ... }`, `function name { ... }`, and `name() ( ... )` (a subshell body).

(function_definition
  body: (_) @context.end) @context
