; import "fmt"      import ( "os"; str "strings"; . "math"; _ "embed" )
; The statement is the whole import declaration, so a grouped import gives one statement with
; one match per spec; the alias is the package name, `.` or `_` when given.

(import_declaration
  [
    (import_spec
      name: (_)? @import.alias
      path: (_ [(interpreted_string_literal_content) (raw_string_literal_content)] @import.module))
    (import_spec_list
      (import_spec
        name: (_)? @import.alias
        path: (_ [(interpreted_string_literal_content) (raw_string_literal_content)] @import.module)))
  ]) @import.statement
