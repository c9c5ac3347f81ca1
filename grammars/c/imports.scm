; #include "store.h" gives `store.h`; #include <stdio.h> keeps its brackets: `<stdio.h>`.

(preproc_include
  path: [
    (string_literal (string_content) @import.module)
    (system_lib_string) @import.module
  ]) @import.statement
