; Shared by javascript, typescript and tsx.
; One match per imported name; a statement that imports no name gives one match without
; @import.name. Default imports are names; `* as ns` and `x = require(...)` bind an alias.

; import x from "m"
(import_statement
  (import_clause
    (identifier) @import.name)
  source: (string (string_fragment) @import.module)) @import.statement

; import { a, b as c } from "m"
(import_statement
  (import_clause
    (named_imports
      (import_specifier
        name: (_) @import.name
        alias: (_)? @import.alias)))
  source: (string (string_fragment) @import.module)) @import.statement

; import * as ns from "m"
(import_statement
  (import_clause
    (namespace_import
      (identifier) @import.alias))
  source: (string (string_fragment) @import.module)) @import.statement

; import "m"
(import_statement
  .
  source: (string (string_fragment) @import.module)) @import.statement

; export { a, b as c } from "m"
(export_statement
  (export_clause
    (export_specifier
      name: (_) @import.name
      alias: (_)? @import.alias))
  source: (string (string_fragment) @import.module)) @import.statement

; export * from "m"     export * as ns from "m"
(export_statement
  .
  source: (string (string_fragment) @import.module)) @import.statement

(export_statement
  (namespace_export
    (_) @import.alias)
  source: (string (string_fragment) @import.module)) @import.statement

; const x = require("m")     const { a, b } = require("m")     require("m")
((lexical_declaration
  (variable_declarator
    name: (identifier) @import.alias
    value: (call_expression
      function: (identifier) @_require
      arguments: (arguments . (string (string_fragment) @import.module) .)))) @import.statement
  (#eq? @_require "require"))

((variable_declaration
  (variable_declarator
    name: (identifier) @import.alias
    value: (call_expression
      function: (identifier) @_require
      arguments: (arguments . (string (string_fragment) @import.module) .)))) @import.statement
  (#eq? @_require "require"))

((lexical_declaration
  (variable_declarator
    name: (object_pattern
      (shorthand_property_identifier_pattern) @import.name)
    value: (call_expression
      function: (identifier) @_require
      arguments: (arguments . (string (string_fragment) @import.module) .)))) @import.statement
  (#eq? @_require "require"))

((expression_statement
  (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @import.module) .))) @import.statement
  (#eq? @_require "require"))
