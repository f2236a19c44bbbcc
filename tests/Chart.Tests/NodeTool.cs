using System.Diagnostics;

namespace Platform.Chart.Tests;

/// <summary>Runs a script of a tests/tools/&lt;tool&gt; folder with node (its npm packages installed by ./scripts/test.sh).</summary>
internal static class NodeTool
{
    public static async Task<(int Exit, string Output)> RunAsync(string tool, string script, params string[] args)
    {
        var directory = Path.Combine(Helm.RepositoryRoot, "tests", "tools", tool);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(Path.Combine(directory, script));
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
            throw new InvalidOperationException("node is not on PATH: install Node.js and run ./scripts/test.sh (it runs 'npm ci' in every tests/tools folder)", e);
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
