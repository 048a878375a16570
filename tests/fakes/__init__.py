"""Every fake of an external system lives here, named by the layer it fakes: `github_port`
(our `GitHubPort` protocol), `github_http` (GitHub's REST API over HTTP), `github_openapi`
(GitHub's published OpenAPI description, served by Prism), `openai_transport` (OpenAI at the
SDK's HTTP transport) and `openai_http` (OpenAI's chat completions over HTTP). `git_objects`
and `http_server` are what the fakes share: git's object ids, and a local port to serve on."""
