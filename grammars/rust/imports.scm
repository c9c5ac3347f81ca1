; use a::b::C;   use a::b::C as D;   use a::b::{self, C, D as E};   use a::b::*;   use serde;
; extern crate alloc;
; One match per imported name; @import.module is the path before the name.

(use_declaration
  argument: (scoped_identifier
    path: (_) @import.module
    name: (identifier) @import.name)) @import.statement

(use_declaration
  argument: (use_as_clause
    path: (scoped_identifier
      path: (_) @import.module
      name: (identifier) @import.name)
    alias: (identifier) @import.alias)) @import.statement

(use_declaration
  argument: (scoped_use_list
    path: (_) @import.module
    list: (use_list
      [
        (identifier) @import.name
        (self) @import.name
        (scoped_identifier) @import.name
        (use_as_clause
          path: (_) @import.name
          alias: (identifier) @import.alias)
      ]))) @import.statement

(use_declaration
  argument: (use_wildcard
    (_) @import.module)) @import.statement

(use_declaration
  argument: [(identifier) (crate)] @import.module) @import.statement

(use_declaration
  argument: (use_as_clause
    path: (identifier) @import.module
    alias: (identifier) @import.alias)) @import.statement

(extern_crate_declaration
  name: (identifier) @import.module
  alias: (identifier)? @import.alias) @import.statement
