; import a.b.C;   import static a.b.C.m;   import a.b.*;   import static a.b.C.*;

(import_declaration
  (scoped_identifier
    scope: (_) @import.module
    name: (identifier) @import.name)
  .) @import.statement

(import_declaration
  (scoped_identifier) @import.module
  (asterisk)) @import.statement

(import_declaration
  (identifier) @import.module
  .) @import.statement
