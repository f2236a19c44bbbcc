using System.Globalization;
using Platform.Sandbox.Hosting;
using Platform.Sandbox.Scenario;
using Platform.Sandbox.Tls;

namespace Platform.Sandbox.Webhook;

/// <summary>
/// Step 1: the real webhook in its own process, HTTPS on loopback with a fresh certificate and the chosen policy.
/// The policy is first checked with the webhook's own <c>check-policy</c> command, so a bad policy is reported as
/// bad input with every error listed, not as a server that would not start.
/// </summary>
internal static class WebhookRunner
{
    public const string Step = "step 1 (webhook)";

    public static async Task<(ChildProcess Process, Uri AdmissionUrl, Uri HealthUrl)> StartAsync(
        string policyFile, int? port, LoopbackCertificate certificate, string directory, CancellationToken cancellationToken)
    {
        var check = await ChildProcess.RunAsync(BuiltPrograms.Webhook, ["check-policy", policyFile], cancellationToken).ConfigureAwait(false);
        if (check.ExitCode != 0)
        {
            throw new SandboxFailure(Step, $"policy {policyFile} was refused by the webhook:\n{Readiness.Indent(check.Output.Trim())}", SandboxFailure.ExitBadInput);
        }

        var admissionPort = port is null or 0 ? FreePort.Pick() : port.Value;
        if (FreePort.Check(admissionPort) is { } busy)
        {
            throw new SandboxFailure(Step, $"cannot serve the webhook: {busy} (choose another with --webhook-port, or 0 for any free port)");
        }

        var certFile = Path.Combine(directory, "webhook.crt");
        var keyFile = Path.Combine(directory, "webhook.key");
        await File.WriteAllTextAsync(certFile, certificate.CertificatePem, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(keyFile, certificate.KeyPem, cancellationToken).ConfigureAwait(false);
        var healthPort = FreePort.Pick();
        var process = ChildProcess.Start("webhook", BuiltPrograms.Webhook,
        [
            string.Create(CultureInfo.InvariantCulture, $"--urls=https://127.0.0.1:{admissionPort}"),
            string.Create(CultureInfo.InvariantCulture, $"--Health:Port={healthPort}"),
            "--Health:ShutdownDelaySeconds=0",
            $"--Tls:CertFile={certFile}",
            $"--Tls:KeyFile={keyFile}",
            $"--Policy:File={Path.GetFullPath(policyFile)}",
        ]);
        var admission = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{admissionPort}/mutate"));
        var health = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{healthPort}/"));
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Readiness.WaitAsync(process, http, new Uri(health, "readyz"), Step, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return (process, admission, health);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
