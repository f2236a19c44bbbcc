using Platform.Sandbox.Agent;
using Platform.Sandbox.Hosting;
using Platform.Sandbox.Kubelet;
using Platform.Sandbox.Kubernetes;
using Platform.Sandbox.Ray;
using Platform.Sandbox.Tls;

namespace Platform.Sandbox.Scenario;

/// <summary>
/// Everything the sandbox started, owned in one place so that it is all stopped and removed on every way out
/// (success, failure, Ctrl-C): child processes with SIGTERM, servers, then the temporary directory with the sockets,
/// certificates and kubeconfig in it.
/// </summary>
internal sealed class SandboxEnvironment : IAsyncDisposable
{
    private SandboxEnvironment(DirectoryInfo directory)
    {
        Directory = directory.FullName;
        Certificate = LoopbackCertificate.Create("raygpu-sandbox");
    }

    /// <summary>Short (under /tmp) so socket paths stay far below the 108-byte limit of a Unix socket address.</summary>
    public string Directory { get; }

    public LoopbackCertificate Certificate { get; }

    public ChildProcess? Webhook { get; set; }

    public Uri? AdmissionUrl { get; set; }

    public Uri? WebhookHealthUrl { get; set; }

    public FakeApiServer? Api { get; set; }

    public KubeletSimulator? Kubelet { get; set; }

    public SimulatedRayGcs? Gcs { get; set; }

    public AgentRunner? Agent { get; set; }

    public static SandboxEnvironment Create() =>
        new(System.IO.Directory.CreateTempSubdirectory("raygpu-sandbox-"));

    public async ValueTask DisposeAsync()
    {
        // The agent first, while the kubelet simulator still answers its streams; then the rest.
        Kubelet?.Quiet();
        if (Agent is not null)
        {
            await Agent.DisposeAsync().ConfigureAwait(false);
        }

        if (Webhook is not null)
        {
            await Webhook.DisposeAsync().ConfigureAwait(false);
        }

        if (Kubelet is not null)
        {
            await Kubelet.DisposeAsync().ConfigureAwait(false);
        }

        if (Gcs is not null)
        {
            await Gcs.DisposeAsync().ConfigureAwait(false);
        }

        if (Api is not null)
        {
            await Api.DisposeAsync().ConfigureAwait(false);
        }

        Certificate.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
