; Definitions. Names are captured without `$`.

(namespace_definition
  name: (namespace_name) @name) @definition.module

; A trait is code mixed into classes, so it is a class here.
[
  (class_declaration name: (name) @name)
  (trait_declaration name: (name) @name)
] @definition.class

(interface_declaration
  name: (name) @name) @definition.interface

(enum_declaration
  name: (name) @name) @definition.enum

(function_definition
  name: (name) @name) @definition.function

(method_declaration
  name: (name) @name) @definition.method

; One match per name in `const A = 1, B = 2;` and `private $a, $b;`.
(const_declaration
  (const_element
    (name) @name)) @definition.constant

(enum_case
  name: (name) @name) @definition.constant

(property_declaration
  (property_element
    name: (variable_name (name) @name))) @definition.field

; Constructor property promotion: `public function __construct(private string $name)`.
(property_promotion_parameter
  name: (variable_name (name) @name)) @definition.field

; References

(function_call_expression
  function: [
    (name) @name
    (qualified_name (name) @name .)
  ]) @reference.call

[
  (member_call_expression name: (name) @name)
  (nullsafe_member_call_expression name: (name) @name)
  (scoped_call_expression name: (name) @name)
] @reference.call

(object_creation_expression
  [
    (name) @name
    (qualified_name (name) @name .)
  ]) @reference.call

(named_type
  [
    (name) @name
    (qualified_name (name) @name .)
  ]) @reference.type

[
  (base_clause [(name) @name (qualified_name (name) @name .)])
  (class_interface_clause [(name) @name (qualified_name (name) @name .)])
  (scoped_call_expression scope: [(name) @name (qualified_name (name) @name .)])
] @reference.type
