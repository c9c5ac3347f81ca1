; Definitions

[
  (class_declaration name: (identifier) @name)
  (struct_declaration name: (identifier) @name)
  (record_declaration name: (identifier) @name)
] @definition.class

(interface_declaration
  name: (identifier) @name) @definition.interface

(enum_declaration
  name: (identifier) @name) @definition.enum

[
  (method_declaration name: (identifier) @name)
  (constructor_declaration name: (identifier) @name)
  (destructor_declaration name: (identifier) @name)
] @definition.method

(local_function_statement
  name: (identifier) @name) @definition.function

(delegate_declaration
  name: (identifier) @name) @definition.type

[
  (namespace_declaration name: (_) @name)
  (file_scoped_namespace_declaration name: (_) @name)
] @definition.module

; One match per name in `int a, b;`. Properties and events are fields too.
[
  (field_declaration (variable_declaration (variable_declarator name: (identifier) @name)))
  (event_field_declaration (variable_declaration (variable_declarator name: (identifier) @name)))
  (property_declaration name: (identifier) @name)
  (event_declaration name: (identifier) @name)
] @definition.field

(enum_member_declaration
  name: (identifier) @name) @definition.constant

; References. Type names are plain identifiers in this grammar, so types are found by position.

(invocation_expression
  function: [
    (identifier) @name
    (member_access_expression name: (identifier) @name)
    (generic_name (identifier) @name)
    (member_access_expression name: (generic_name (identifier) @name))
  ]) @reference.call

(object_creation_expression
  type: [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
  ]) @reference.call

; Declared types of variables, fields, parameters and properties, and return types.
(variable_declaration
  type: [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
    (nullable_type type: (identifier) @name)
    (array_type type: (identifier) @name)
  ] @reference.type)

(parameter
  type: [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
    (nullable_type type: (identifier) @name)
    (array_type type: (identifier) @name)
  ] @reference.type)

(property_declaration
  type: [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
    (nullable_type type: (identifier) @name)
    (array_type type: (identifier) @name)
  ] @reference.type)

(method_declaration
  returns: [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
    (nullable_type type: (identifier) @name)
    (array_type type: (identifier) @name)
  ] @reference.type)

(local_function_statement
  type: [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
    (nullable_type type: (identifier) @name)
    (array_type type: (identifier) @name)
  ] @reference.type)

(base_list
  [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
  ] @reference.type)

(type_argument_list
  [
    (identifier) @name
    (generic_name (identifier) @name)
  ] @reference.type)
