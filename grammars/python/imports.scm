; import a.b            import a.b as c
; from a import b       from a import b as c       from . import b       from a import *
; One match per imported name; every match carries the statement and its module.

(import_statement
  name: (dotted_name) @import.module) @import.statement

(import_statement
  name: (aliased_import
    name: (dotted_name) @import.module
    alias: (identifier) @import.alias)) @import.statement

(import_from_statement
  module_name: (_) @import.module
  name: (dotted_name) @import.name) @import.statement

(import_from_statement
  module_name: (_) @import.module
  name: (aliased_import
    name: (dotted_name) @import.name
    alias: (identifier) @import.alias)) @import.statement

(import_from_statement
  module_name: (_) @import.module
  (wildcard_import)) @import.statement

(future_import_statement
  "__future__" @import.module
  name: (dotted_name) @import.name) @import.statement
