using Platform.Sandbox.Scenario;

namespace Platform.Sandbox.Hosting;

/// <summary>Waits for a child's HTTP endpoint to answer 200, failing at once (with its output) if the child exits first.</summary>
internal static class Readiness
{
    public static async Task WaitAsync(ChildProcess child, HttpClient http, Uri url, string step, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (child.HasExited)
            {
                await child.Exited.ConfigureAwait(false);
                throw new SandboxFailure(step, $"the {child.Name} exited with code {child.ExitCode} while starting:\n{Indent(child.Output)}");
            }

            try
            {
                using var response = await http.GetAsync(url, deadline.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SandboxFailure(step, $"the {child.Name} did not answer {url} within {timeout.TotalSeconds:0} s:\n{Indent(child.Output)}");
            }

            try
            {
                // A child process has no readiness signal but its port; poll it gently.
                await Task.WhenAny(child.Exited, Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SandboxFailure(step, $"the {child.Name} did not answer {url} within {timeout.TotalSeconds:0} s:\n{Indent(child.Output)}");
            }
        }
    }

    public static string Indent(string text) =>
        string.Join('\n', text.Split('\n').TakeLast(30).Select(l => "    " + l));
}
