; Definitions. Functions directly in a class body are methods; every other function is a
; function. Only module-level assignments are variables or constants (UPPER_CASE names), and
; only class-level ones are fields: locals are not symbols other files can use.

(class_definition
  name: (identifier) @name) @definition.class

(module
  (function_definition
    name: (identifier) @name) @definition.function)

(module
  (decorated_definition
    definition: (function_definition
      name: (identifier) @name) @definition.function))

(function_definition
  body: (block
    (function_definition
      name: (identifier) @name) @definition.function))

(function_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name) @definition.function)))

(class_definition
  body: (block
    (function_definition
      name: (identifier) @name) @definition.method))

(class_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name) @definition.method)))

((module
  (expression_statement
    (assignment
      left: (identifier) @name) @definition.constant))
  (#match? @name "^[A-Z][A-Z0-9_]*$"))

((module
  (expression_statement
    (assignment
      left: (identifier) @name) @definition.variable))
  (#not-match? @name "^[A-Z][A-Z0-9_]*$"))

(module
  (type_alias_statement
    left: (type
      (identifier) @name)) @definition.type)

(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name) @definition.field)))

; References

(call
  function: (identifier) @name) @reference.call

(call
  function: (attribute
    attribute: (identifier) @name)) @reference.call

(type
  (identifier) @name) @reference.type

(type
  (generic_type
    (identifier) @name)) @reference.type

(class_definition
  superclasses: (argument_list
    (identifier) @name @reference.type))

(class_definition
  superclasses: (argument_list
    (attribute
      attribute: (identifier) @name) @reference.type))

; `A | B` and `A | B | C` in annotations
(type
  (binary_operator
    (identifier) @name @reference.type))

(type
  (binary_operator
    (binary_operator
      (identifier) @name @reference.type)))
