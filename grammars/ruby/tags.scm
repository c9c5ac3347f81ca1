; Definitions. Every `def` is a method (Ruby has no free functions).

(class
  name: [
    (constant) @name
    (scope_resolution name: (_) @name)
  ]) @definition.class

(module
  name: [
    (constant) @name
    (scope_resolution name: (_) @name)
  ]) @definition.module

[
  (method name: (_) @name)
  (singleton_method name: (_) @name)
] @definition.method

; Constants cannot be assigned inside a method, so every constant assignment is a definition.
(assignment
  left: (constant) @name) @definition.constant

; References

((call
  method: (identifier) @name) @reference.call
  (#not-any-of? @name "require" "require_relative" "load"))

(superclass
  [
    (constant) @name
    (scope_resolution name: (constant) @name)
  ] @reference.type)

; Store.new, Foo::Bar.call
(call
  receiver: [
    (constant) @name
    (scope_resolution name: (constant) @name)
  ] @reference.type)

; include Enumerable, extend Forwardable
(call
  arguments: (argument_list
    (constant) @name @reference.type))
