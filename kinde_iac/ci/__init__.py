"""CI integrations: pull-request comments on GitHub (and, later, GitLab)."""
