; Not inherited from ../c: in C++ the same node shapes mean different things depending on where
; they sit (a function_definition in a class body is a method), so these patterns name parents.

; Free functions and their prototypes: at file or namespace level, in `extern "C" {}`, under
; `template <...>` or inside an include guard. The name sits inside the declarator: `f(...)`,
; `*f(...)`, `&f(...)`.

(translation_unit
  [
    (function_definition
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
  ] @definition.function)

(declaration_list
  [
    (function_definition
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
  ] @definition.function)

(template_declaration
  [
    (function_definition
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
  ] @definition.function)

(preproc_ifdef
  [
    (function_definition
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
    (declaration
      declarator: [
        (function_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
        (reference_declarator (function_declarator declarator: (identifier) @name))
      ])
  ] @definition.function)

; Methods: declared or defined in a class body (constructors, destructors, operators too) ...
(field_declaration_list
  [
    (function_definition declarator: (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name))
    (function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)))
    (function_definition declarator: (reference_declarator (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)))
    (field_declaration declarator: (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name))
    (field_declaration declarator: (pointer_declarator declarator: (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)))
    (field_declaration declarator: (reference_declarator (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name)))
    (declaration declarator: (function_declarator declarator: [(field_identifier) (identifier) (destructor_name) (operator_name)] @name))
  ] @definition.method)

(field_declaration_list
  (template_declaration
    (function_definition
      declarator: (function_declarator declarator: (field_identifier) @name)) @definition.method))

; ... or defined outside it: `void Store::put(T item) {`, `app::Store<T>::~Store() {`.
(function_definition
  declarator: [
    (function_declarator declarator: (qualified_identifier name: [[(identifier) (destructor_name) (operator_name)] @name (qualified_identifier name: [[(identifier) (destructor_name) (operator_name)] @name (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)])]))
    (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier name: [[(identifier) (destructor_name) (operator_name)] @name (qualified_identifier name: [[(identifier) (destructor_name) (operator_name)] @name (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)])])))
    (reference_declarator (function_declarator declarator: (qualified_identifier name: [[(identifier) (destructor_name) (operator_name)] @name (qualified_identifier name: [[(identifier) (destructor_name) (operator_name)] @name (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name)])])))
  ]) @definition.method

[
  (class_specifier name: (type_identifier) @name body: (_))
  (struct_specifier name: (type_identifier) @name body: (_))
  (union_specifier name: (type_identifier) @name body: (_))
] @definition.class

(enum_specifier
  name: (type_identifier) @name
  body: (_)) @definition.enum

(namespace_definition
  name: [(namespace_identifier) (nested_namespace_specifier)] @name) @definition.module

[
  (type_definition declarator: (type_identifier) @name)
  (alias_declaration name: (type_identifier) @name)
] @definition.type

[
  (preproc_def name: (identifier) @name)
  (preproc_function_def name: (identifier) @name)
] @definition.macro

(enumerator
  name: (identifier) @name) @definition.constant

(field_declaration_list
  (field_declaration
    declarator: [
      (field_identifier) @name
      (pointer_declarator declarator: (field_identifier) @name)
      (reference_declarator (field_identifier) @name)
      (array_declarator declarator: (field_identifier) @name)
    ]) @definition.field)

; Variables at file or namespace level (one match per declarator). Locals are not symbols.

(translation_unit
  (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (reference_declarator (identifier) @name)
        (init_declarator declarator: (reference_declarator (identifier) @name))
        (array_declarator declarator: (identifier) @name)
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
      ]) @definition.variable)

(declaration_list
  (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (reference_declarator (identifier) @name)
        (init_declarator declarator: (reference_declarator (identifier) @name))
        (array_declarator declarator: (identifier) @name)
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
      ]) @definition.variable)

(preproc_ifdef
  (declaration
      declarator: [
        (identifier) @name
        (init_declarator declarator: (identifier) @name)
        (pointer_declarator declarator: (identifier) @name)
        (init_declarator declarator: (pointer_declarator declarator: (identifier) @name))
        (reference_declarator (identifier) @name)
        (init_declarator declarator: (reference_declarator (identifier) @name))
        (array_declarator declarator: (identifier) @name)
        (init_declarator declarator: (array_declarator declarator: (identifier) @name))
      ]) @definition.variable)

; References

(call_expression
  function: [
    (identifier) @name
    (field_expression field: (field_identifier) @name)
    (qualified_identifier name: [
      (identifier) @name
      (template_function name: (identifier) @name)
      (qualified_identifier name: [(identifier) @name (template_function name: (identifier) @name)])
    ])
    (template_function name: (identifier) @name)
  ]) @reference.call

(new_expression
  type: [
    (type_identifier) @name
    (template_type name: (type_identifier) @name)
    (qualified_identifier name: [
      (type_identifier) @name
      (template_type name: (type_identifier) @name)
      (qualified_identifier name: [(type_identifier) @name (template_type name: (type_identifier) @name)])
    ])
  ]) @reference.call

; Any type name (this includes the name in `class Store {`).
(type_identifier) @name @reference.type
