;;; lsp_mode_driver.el --- drive lsp-mode after `ghostfill setup emacs' was loaded  -*- lexical-binding: t -*-
;; emacs -Q --batch -l emacs.el -l lsp_mode_driver.el
;; Env: GF_FILE (file to edit; point goes to its end), GF_RESULT (JSON lines out),
;;      GF_ELPA (Debian's elpa dir, default /usr/share/emacs/site-lisp/elpa).
(require 'json)
(require 'package)
(add-to-list 'package-directory-list (or (getenv "GF_ELPA") "/usr/share/emacs/site-lisp/elpa"))
(setq package-load-list '(all))
(package-initialize)
(setq lsp-session-file (expand-file-name "lsp-session" (getenv "HOME"))
      lsp-server-install-dir (expand-file-name "lsp-servers" (getenv "HOME"))
      lsp-auto-guess-root t           ; batch mode cannot answer the project-root prompt
      lsp-enabled-clients '(ghostfill) ; only the snippet's client; no pyright/pylsp probing
      lsp-enable-snippet nil lsp-log-io nil lsp-keep-workspace-alive nil
      lsp-enable-file-watchers nil lsp-headerline-breadcrumb-enable nil lsp-modeline-code-actions-enable nil)
(require 'lsp-mode)

(defvar gf-result (getenv "GF_RESULT"))
(defun gf-ms-since (t0) (* 1000 (float-time (time-subtract (current-time) t0))))
(defun gf-emit (alist)
  (with-temp-buffer
    (insert (json-encode alist) "\n")
    (append-to-file (point-min) (point-max) gf-result)))
(defun gf-finish (code why)
  (gf-emit `((event . "done") (code . ,code) (why . ,why)
             (buffer . ,(buffer-substring-no-properties (point-min) (point-max)))))
  (kill-emacs code))
(defun gf-wait (pred seconds what)
  (let ((deadline (+ (float-time) seconds)))
    (while (not (funcall pred))
      (when (> (float-time) deadline) (gf-finish 1 (format "timeout waiting for %s" what)))
      (accept-process-output nil 0.02))))

(condition-case err
    (let ((t0 (current-time)))
      (find-file (getenv "GF_FILE"))
      (python-mode)
      (lsp)
      (gf-wait (lambda ()
                 (let ((ws (car (lsp-workspaces))))
                   (and ws (eq (lsp--workspace-status ws) 'initialized))))
               20 "lsp-mode to initialize ghostfill")
      (let ((ws (car (lsp-workspaces))))
        (gf-emit `((event . "attached") (ms . ,(gf-ms-since t0))
                   (client . ,(symbol-name (lsp--client-server-id (lsp--workspace-client ws)))))))
      (goto-char (point-max))
      (let* ((t1 (current-time))
             (capf (lsp-completion-at-point))
             (cands (and capf (all-completions
                               (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))
                               (nth 2 capf)))))
        (gf-emit `((event . "capf") (ms . ,(gf-ms-since t1))
                   (candidates . ,(vconcat (mapcar #'substring-no-properties cands))))))
      (let ((t2 (current-time))
            (completion-at-point-functions '(lsp-completion-at-point)))
        (completion-at-point)
        (gf-emit `((event . "completion-at-point") (ms . ,(gf-ms-since t2))
                   (line . ,(buffer-substring-no-properties
                             (line-beginning-position) (line-end-position))))))
      (gf-finish 0 "ok"))
  (error (gf-finish 1 (format "%S" err))))
