# Pinned tool versions for the real-VS-Code harness. code-server 4.139.1 bundles VS Code 1.139.1,
# so package.json engines.vscode and @types/vscode must not be newer than 1.139.
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_CORE_VERSION=1.65.1
NODE24_VERSION=24
