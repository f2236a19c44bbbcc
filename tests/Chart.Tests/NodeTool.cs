using System.Diagnostics;

namespace Platform.Chart.Tests;

/// <summary>Runs a script of tests/tools/helm with node (its npm packages installed by ./scripts/test.sh).</summary>
internal static class NodeTool
{
    public static string ToolsDirectory => Path.Combine(Helm.RepositoryRoot, "tests", "tools", "helm");

    public static async Task<(int Exit, string Output)> RunAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ToolsDirectory,
        };
        start.ArgumentList.Add(Path.Combine(ToolsDirectory, script));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node is not on PATH: install Node.js and run ./scripts/test.sh (it runs 'npm ci' in tests/tools/helm)", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (process.ExitCode, await stdout.WaitAsync(TimeSpan.FromSeconds(10)) + await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }
}
