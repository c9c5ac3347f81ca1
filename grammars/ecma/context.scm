; Shared by javascript, typescript and tsx (a private base: no language.toml, never detected).
; Only node types that all three grammars have may appear here.

(class_declaration
  body: (class_body) @context.end) @context

(class
  body: (class_body) @context.end) @context

(function_declaration
  body: (statement_block) @context.end) @context

(generator_function_declaration
  body: (statement_block) @context.end) @context

(method_definition
  body: (statement_block) @context.end) @context

; Function values: the scope starts at what names them (`const f = () => {`, `f: function () {`,
; `exports.f = function () {`), or at the function itself when it is a call's argument.
(variable_declarator
  value: [
    (arrow_function body: (statement_block) @context.end)
    (function_expression body: (statement_block) @context.end)
    (generator_function body: (statement_block) @context.end)
  ]) @context

(pair
  value: [
    (arrow_function body: (statement_block) @context.end)
    (function_expression body: (statement_block) @context.end)
    (generator_function body: (statement_block) @context.end)
  ]) @context

(assignment_expression
  right: [
    (arrow_function body: (statement_block) @context.end)
    (function_expression body: (statement_block) @context.end)
    (generator_function body: (statement_block) @context.end)
  ]) @context

(arguments
  [
    (arrow_function body: (statement_block) @context.end)
    (function_expression body: (statement_block) @context.end)
  ] @context)
