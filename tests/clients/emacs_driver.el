;;; emacs_driver.el --- drive eglot after `ghostfill setup emacs' was loaded  -*- lexical-binding: t -*-
;; emacs -Q --batch -l emacs.el -l emacs_driver.el
;; Env: GF_FILE (file to edit; point goes to its end), GF_RESULT (JSON lines out),
;;      GF_ELPA (Debian's elpa dir, default /usr/share/emacs/site-lisp/elpa).
;; -Q skips Debian's site-start, so the elpa dir is added by hand; eglot-ensure does nothing
;; in batch mode, so `eglot' is called directly.
(require 'json)
(require 'package)
(add-to-list 'package-directory-list (or (getenv "GF_ELPA") "/usr/share/emacs/site-lisp/elpa"))
(setq package-load-list '(all))
(package-initialize)
(require 'eglot)
;; A number for eglot-sync-connect means one `accept-process-output' of that many seconds, which
;; returns at the server's first stderr line; t waits for the initialize reply itself.
(setq eglot-sync-connect t eglot-connect-timeout 30 eglot-autoshutdown t
      eglot-events-buffer-size 0)

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

(condition-case err
    (let ((t0 (current-time)))
      (find-file (getenv "GF_FILE"))
      (python-mode)
      (call-interactively #'eglot)
      (let ((server (eglot-current-server)))
        (unless server (gf-finish 1 "eglot did not connect"))
        (gf-emit `((event . "attached") (ms . ,(gf-ms-since t0))
                   (server . ,(format "%S" (eglot--server-info server)))
                   (contact . ,(format "%S" (process-command (jsonrpc--process server))))))
        (goto-char (point-max))
        ;; 1. what completion-at-point offers here
        (let* ((t1 (current-time))
               (capf (eglot-completion-at-point))
               (cands (and capf (all-completions
                                 (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))
                                 (nth 2 capf)))))
          (gf-emit `((event . "capf") (ms . ,(gf-ms-since t1))
                     (candidates . ,(vconcat cands)))))
        ;; 2. M-x completion-at-point: a single candidate is inserted at once
        (let ((t2 (current-time))
              (completion-at-point-functions '(eglot-completion-at-point)))
          (completion-at-point)
          (gf-emit `((event . "completion-at-point") (ms . ,(gf-ms-since t2))
                     (line . ,(buffer-substring-no-properties
                               (line-beginning-position) (line-end-position))))))
        (gf-finish 0 "ok")))
  (error (gf-finish 1 (format "%S" err))))
