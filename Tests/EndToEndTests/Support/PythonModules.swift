import Testing

/// Python packages the end-to-end tests use as real peers. `scripts/setup.sh` installs them;
/// when one still cannot be imported, pip is tried once more here, and the test fails with
/// the reason if that does not help either.
enum PythonModules {
    /// `modules` maps an import name to its PyPI package.
    static func ensureInstalled(_ modules: KeyValuePairs<String, String>, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let missing = modules.filter { !PythonProcess.hasModule($0.key) }
        if missing.isEmpty { return true }
        let packages = missing.map { "'\($0.value)'" }.joined(separator: ", ")
        do {
            _ = try PythonProcess.run(
                "import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '--quiet', \(packages)]))",
                timeout: .seconds(300))
        } catch {
            Issue.record("\(packages) not installed and pip could not install them (run scripts/setup.sh): \(error)", sourceLocation: sourceLocation)
            return false
        }
        for (module, _) in missing where !PythonProcess.hasModule(module) {
            Issue.record("\(module) still cannot be imported after pip install", sourceLocation: sourceLocation)
            return false
        }
        return true
    }
}
