; Definitions. `function M:name()` is a method; every other named function is a function.

(function_declaration
  name: [
    (identifier) @name
    (dot_index_expression field: (identifier) @name)
  ]) @definition.function

(function_declaration
  name: (method_index_expression
    method: (identifier) @name)) @definition.method

; `local f = function () end`, `M.f = function () end`, `{ f = function () end }`
(assignment_statement
  (variable_list
    .
    name: [
      (identifier) @name
      (dot_index_expression field: (identifier) @name)
    ])
  (expression_list
    .
    value: (function_definition))) @definition.function

(field
  name: (identifier) @name
  value: (function_definition)) @definition.function

; Chunk-level variables whose value is not a function (listed, since a query cannot say "not a
; function"); UPPER_CASE names are constants.
((chunk
  [
    (variable_declaration
      (assignment_statement
        (variable_list name: (identifier) @name)
        (expression_list
          .
          value: [
            (nil) (false) (true) (number) (string) (table_constructor) (identifier)
            (dot_index_expression) (bracket_index_expression) (function_call)
            (binary_expression) (unary_expression) (parenthesized_expression)
          ])) @definition.constant)
    (assignment_statement
      (variable_list name: (identifier) @name)
      (expression_list
        .
        value: [
          (nil) (false) (true) (number) (string) (table_constructor) (identifier)
          (dot_index_expression) (bracket_index_expression) (function_call)
          (binary_expression) (unary_expression) (parenthesized_expression)
        ])) @definition.constant
  ])
  (#match? @name "^[A-Z][A-Z0-9_]*$"))

((chunk
  [
    (variable_declaration
      (assignment_statement
        (variable_list name: (identifier) @name)
        (expression_list
          .
          value: [
            (nil) (false) (true) (number) (string) (table_constructor) (identifier)
            (dot_index_expression) (bracket_index_expression) (function_call)
            (binary_expression) (unary_expression) (parenthesized_expression)
          ])) @definition.variable)
    (assignment_statement
      (variable_list name: (identifier) @name)
      (expression_list
        .
        value: [
          (nil) (false) (true) (number) (string) (table_constructor) (identifier)
          (dot_index_expression) (bracket_index_expression) (function_call)
          (binary_expression) (unary_expression) (parenthesized_expression)
        ])) @definition.variable
  ])
  (#not-match? @name "^[A-Z][A-Z0-9_]*$"))

; References

((function_call
  name: [
    (identifier) @name
    (dot_index_expression field: (identifier) @name)
    (method_index_expression method: (identifier) @name)
  ]) @reference.call
  (#not-eq? @name "require"))
