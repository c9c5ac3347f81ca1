;;; ghostfill for Emacs: eglot (built in since Emacs 29; elpa-eglot on 28) or lsp-mode.
;; Paste into init.el. Needs `ghostfill' on PATH. Emacs has no LSP inline-completion UI yet, so
;; the suggestion arrives through completion-at-point as one candidate labelled "ghostfill":
;; M-TAB / C-M-i, company-mode or corfu show it; Emacs 30's `completion-preview-mode' shows the
;; candidate as grey text after point, which is close to ghost text.
;; Settings (README "Settings") go in the `ghostfill' section; no backend = the offline engine.

;;;; eglot: one server per buffer, so ghostfill becomes the server of these modes.
;;;; (To keep your usual language server beside it, use the lsp-mode part below instead.)
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((python-mode python-ts-mode js-mode js-ts-mode typescript-mode
                  typescript-ts-mode tsx-ts-mode go-mode go-ts-mode rust-mode rust-ts-mode
                  java-mode java-ts-mode c-mode c-ts-mode c++-mode c++-ts-mode csharp-mode
                  ruby-mode ruby-ts-mode php-mode sh-mode bash-ts-mode lua-mode lua-ts-mode)
                 . ("ghostfill" "serve"))))
;; Per-project settings, e.g. in .dir-locals.el:
;;   ((nil . ((eglot-workspace-configuration . (:ghostfill (:backend (:provider "cerebras")))))))
;; Start it with M-x eglot, or for every Python buffer:
;;   (add-hook 'python-mode-hook #'eglot-ensure)

;;;; lsp-mode: ghostfill runs as an add-on beside the language's main server.
(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection '("ghostfill" "serve"))
    :activation-fn (lsp-activate-on "python" "javascript" "typescript" "typescriptreact" "go"
                                    "rust" "java" "c" "cpp" "csharp" "ruby" "php"
                                    "shellscript" "lua")
    :add-on? t
    :priority -1
    :initialization-options (lambda () '(:completion (:enable t)))
    :server-id 'ghostfill)))
;; Start it with M-x lsp, or (add-hook 'python-mode-hook #'lsp-deferred).
