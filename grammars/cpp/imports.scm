; #include "store.hpp" gives `store.hpp`; #include <vector> keeps its brackets: `<vector>`.
; `using namespace std;` imports the namespace; `using std::string;` imports one name from it.

(preproc_include
  path: [
    (string_literal (string_content) @import.module)
    (system_lib_string) @import.module
  ]) @import.statement

(using_declaration
  "namespace"
  [(identifier) (qualified_identifier)] @import.module) @import.statement

(using_declaration
  (qualified_identifier
    scope: (_) @import.module
    name: (_) @import.name)) @import.statement
