; Shared by javascript, typescript and tsx.

; Definitions

(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

(class_declaration
  name: (_) @name) @definition.class

(method_definition
  name: (_) @name) @definition.method

; Named function values, at any depth: `const f = () => {}`, `{ f: function () {} }`,
; `exports.f = function () {}`, `Foo.prototype.f = () => {}`.
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(assignment_expression
  left: [
    (identifier) @name
    (member_expression property: (property_identifier) @name)
  ]
  right: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; Top-level (and exported) bindings whose value is not a function: `const` gives a constant,
; `let` and `var` a variable. The value kinds are listed because a query cannot say "not a
; function"; a value of a kind not listed here is simply not indexed.
(program
  (lexical_declaration
    kind: "const"
    (variable_declarator
      name: (identifier) @name
      value: [
        (number) (string) (template_string) (regex) (true) (false) (null) (undefined)
        (identifier) (member_expression) (subscript_expression) (object) (array)
        (call_expression) (new_expression) (await_expression) (parenthesized_expression)
        (binary_expression) (unary_expression) (ternary_expression)
      ]) @definition.constant))

(program
  (export_statement
    declaration: (lexical_declaration
      kind: "const"
      (variable_declarator
        name: (identifier) @name
        value: [
          (number) (string) (template_string) (regex) (true) (false) (null) (undefined)
          (identifier) (member_expression) (subscript_expression) (object) (array)
          (call_expression) (new_expression) (await_expression) (parenthesized_expression)
          (binary_expression) (unary_expression) (ternary_expression)
        ]) @definition.constant)))

(program
  [
    (lexical_declaration kind: "let" (variable_declarator name: (identifier) @name !value) @definition.variable)
    (variable_declaration (variable_declarator name: (identifier) @name !value) @definition.variable)
  ])

(program
  [
    (lexical_declaration
      kind: "let"
      (variable_declarator
        name: (identifier) @name
        value: [
          (number) (string) (template_string) (regex) (true) (false) (null) (undefined)
          (identifier) (member_expression) (subscript_expression) (object) (array)
          (call_expression) (new_expression) (await_expression) (parenthesized_expression)
          (binary_expression) (unary_expression) (ternary_expression)
        ]) @definition.variable)
    (variable_declaration
      (variable_declarator
        name: (identifier) @name
        value: [
          (number) (string) (template_string) (regex) (true) (false) (null) (undefined)
          (identifier) (member_expression) (subscript_expression) (object) (array)
          (call_expression) (new_expression) (await_expression) (parenthesized_expression)
          (binary_expression) (unary_expression) (ternary_expression)
        ]) @definition.variable)
  ])

(program
  (export_statement
    declaration: [
      (lexical_declaration
        kind: "let"
        (variable_declarator
          name: (identifier) @name
          value: [
            (number) (string) (template_string) (regex) (true) (false) (null) (undefined)
            (identifier) (member_expression) (subscript_expression) (object) (array)
            (call_expression) (new_expression) (await_expression) (parenthesized_expression)
            (binary_expression) (unary_expression) (ternary_expression)
          ]) @definition.variable)
      (variable_declaration
        (variable_declarator
          name: (identifier) @name
          value: [
            (number) (string) (template_string) (regex) (true) (false) (null) (undefined)
            (identifier) (member_expression) (subscript_expression) (object) (array)
            (call_expression) (new_expression) (await_expression) (parenthesized_expression)
            (binary_expression) (unary_expression) (ternary_expression)
          ]) @definition.variable)
    ]))

; References

((call_expression
  function: (identifier) @name) @reference.call
  (#not-eq? @name "require"))

(call_expression
  function: (member_expression
    property: (property_identifier) @name)) @reference.call

(new_expression
  constructor: (identifier) @name) @reference.call

(new_expression
  constructor: (member_expression
    property: (property_identifier) @name)) @reference.call
