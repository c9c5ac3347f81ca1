; using System.Text;     using static System.Math;     using IO = System.IO;
; The alias, when present, is the `name` field; the module is always the last child.

(using_directive
  name: (identifier)? @import.alias
  [(identifier) (qualified_name)] @import.module
  .) @import.statement
