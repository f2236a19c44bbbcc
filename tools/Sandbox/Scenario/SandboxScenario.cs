using System.Text.Json.Nodes;
using Grpc.Core;
using Platform.Sandbox.Agent;
using Platform.Sandbox.Cli;
using Platform.Sandbox.Kubelet;
using Platform.Sandbox.Kubernetes;
using Platform.Sandbox.Output;
using Platform.Sandbox.Ray;
using Platform.Sandbox.Webhook;

namespace Platform.Sandbox.Scenario;

/// <summary>
/// The sandbox's seven steps in order. Each step reports as it goes and adds its part to the JSON document; every
/// failure names its step, and whatever was started is stopped by <see cref="SandboxEnvironment"/> on the way out.
/// </summary>
internal sealed partial class SandboxScenario(SandboxArguments arguments, SandboxOutput output)
{
    public const string Resource = "nvidia.com/gpu";
    public const string NodeName = "sandbox-gpu-node";
    public const int ExitInterrupted = 130;

    private readonly JsonObject _document = new();
    private readonly Dictionary<string, int> _gpuIndex = new(StringComparer.Ordinal);
    private string _step = "start";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        SandboxEnvironment? environment = null;
        try
        {
            // The manifest is read before anything starts: a typo should not cost a minute of start-up.
            var manifest = ManifestPods.Read(arguments.Manifest);
            environment = SandboxEnvironment.Create();
            await StartWebhookAsync(environment, cancellationToken).ConfigureAwait(false);
            await StartNodeAsync(environment, cancellationToken).ConfigureAwait(false);

            // The user applies the Ray resource first (template level); KubeRay then builds the pods from what the API
            // server stored, so the pods below come from the mutated resource, as on a real cluster.
            var mutated = await AdmitResourcesAsync(environment, manifest, cancellationToken).ConfigureAwait(false);
            var pods = await AdmitPodsAsync(environment, ManifestPods.Pods(mutated, arguments.Manifest), cancellationToken).ConfigureAwait(false);
            var placed = await ScheduleAsync(environment, pods, cancellationToken).ConfigureAwait(false);
            var fault = await FaultAsync(environment, placed, cancellationToken).ConfigureAwait(false);
            await RemediateAsync(environment, fault, cancellationToken).ConfigureAwait(false);
            Summarize(environment, pods);
            output.Document(_document);
            if (arguments.KeepRunning)
            {
                await KeepRunningAsync(environment, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (SandboxFailure failure)
        {
            output.Error(failure.Step, failure.Message);
            return failure.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Error(_step, "interrupted; stopping everything the sandbox started");
            return ExitInterrupted;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or RpcException or IOException or InvalidOperationException
            or System.Net.Sockets.SocketException or System.Text.Json.JsonException or FormatException or UnauthorizedAccessException)
        {
            output.Error(_step, e.Message);
            return SandboxFailure.ExitFailed;
        }
        finally
        {
            if (environment is not null)
            {
                await environment.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task StartWebhookAsync(SandboxEnvironment environment, CancellationToken cancellationToken)
    {
        _step = WebhookRunner.Step;
        output.Step(1, "Webhook: the real admission webhook over HTTPS on loopback");
        output.Progress($"certificate for 127.0.0.1 generated (ECDSA P-256, valid one day); policy {arguments.Policy}");
        var (process, admission, health) = await WebhookRunner.StartAsync(arguments.Policy, arguments.WebhookPort, environment.Certificate, environment.Directory, cancellationToken).ConfigureAwait(false);
        environment.Webhook = process;
        environment.AdmissionUrl = admission;
        environment.WebhookHealthUrl = health;
        output.Progress($"webhook running as pid {process.Id}");
        output.Line($"webhook ready: POST {admission} (probes and metrics on {health})", Tone.Good);
        _document["webhook"] = new JsonObject { ["admission"] = admission.ToString(), ["health"] = health.ToString(), ["policy"] = arguments.Policy };
    }

    private async Task StartNodeAsync(SandboxEnvironment environment, CancellationToken cancellationToken)
    {
        _step = AgentRunner.Step;
        output.Step(2, $"Node: the real node agent on {arguments.Gpus} simulated GPUs, a kubelet simulator, a fake API server");
        environment.Api = await FakeApiServer.StartAsync(NodeName, environment.Certificate, cancellationToken).ConfigureAwait(false);
        output.Progress($"fake API server on {environment.Api.Url} holding Node {NodeName}");
        environment.Kubelet = await KubeletSimulator.StartAsync(environment.Directory, cancellationToken).ConfigureAwait(false);
        environment.Kubelet.Notice += output.Progress;
        output.Progress($"kubelet simulator serving Registration on {environment.Kubelet.RegistrationSocket}");
        environment.Gcs = await SimulatedRayGcs.StartAsync(RayletExitDelay, cancellationToken).ConfigureAwait(false);
        output.Progress($"simulated Ray GCS (AutoscalerStateService, plaintext gRPC) on {environment.Gcs.Address}");

        // An evicted pod's containers stop: the kubelet frees its devices and its raylet leaves Ray.
        var (kubelet, gcs) = (environment.Kubelet, environment.Gcs);
        environment.Api.PodEvicted += pod =>
        {
            kubelet.Remove(pod["metadata"]!["namespace"]!.ToString(), pod["metadata"]!["name"]!.ToString());
            gcs.PodGone(pod["status"]?["podIP"]?.ToString() ?? string.Empty);
        };
        environment.Agent = await AgentRunner.StartAsync(arguments.Gpus, environment.Kubelet, environment.Api, environment.Gcs.Address, environment.Directory, cancellationToken).ConfigureAwait(false);
        output.Progress($"node agent up on {environment.Agent.Url} as pid {environment.Agent.Process.Id} (driver simulated, {arguments.Gpus} × {AgentRunner.Product}, NVLink)");

        await environment.Kubelet.WaitUntilAsync(k => k.IsRegistered(Resource) && k.Devices().Count(d => d.Healthy) == arguments.Gpus, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var rows = await environment.Agent.WaitForMetricsAsync(r => r.Select(x => x.Uuid).Distinct().Count() == arguments.Gpus, "every GPU", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            _gpuIndex[row.Uuid] = row.Gpu;
        }

        var labels = await WaitForLabelsAsync(environment.Api, cancellationToken).ConfigureAwait(false);
        output.Line($"kubelet: {Resource} registered, {arguments.Gpus} devices Healthy in ListAndWatch", Tone.Good);
        output.Line("node labels set by the agent: " + string.Join(", ", labels.Where(l => l.Key.StartsWith("nvidia.com/gpu.", StringComparison.Ordinal)).OrderBy(l => l.Key, StringComparer.Ordinal).Take(6).Select(l => $"{l.Key}={l.Value}")));
        _document["node"] = new JsonObject
        {
            ["name"] = NodeName,
            ["agent"] = environment.Agent.Url.ToString(),
            ["gpus"] = new JsonArray([.. environment.Kubelet.Devices().Select(d => (JsonNode)new JsonObject { ["id"] = d.Id, ["gpu"] = Index(d.Id), ["healthy"] = d.Healthy })]),
            ["labels"] = new JsonObject([.. labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]),
        };
    }

    /// <summary>The agent patches the Node once it has discovered the GPUs; wait for its presence label.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> WaitForLabelsAsync(FakeApiServer api, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var labels = api.NodeLabels();
                if (labels.GetValueOrDefault("nvidia.com/gpu.present") == "true")
                {
                    return labels;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("the node agent did not label the Node nvidia.com/gpu.present=true within 20 s");
        }
    }

    private string Index(string deviceId) => _gpuIndex.TryGetValue(deviceId, out var index) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : deviceId;

    private string Indexes(IEnumerable<string> deviceIds) => string.Join(",", deviceIds.Select(Index));

    private async Task KeepRunningAsync(SandboxEnvironment environment, CancellationToken cancellationToken)
    {
        output.Step(SandboxOutput.Steps, "Still running (--keep-running): Ctrl-C stops everything");
        output.Line($"webhook         POST {environment.AdmissionUrl}  (curl --cacert {Path.Combine(environment.Directory, "webhook.crt")})");
        output.Line($"webhook health  {environment.WebhookHealthUrl}healthz, {environment.WebhookHealthUrl}metrics");
        output.Line($"agent metrics   {environment.Agent!.Url}metrics");
        output.Line($"simulator       POST {environment.Agent.Url}simulator/xid?gpu=0&xid=79, .../simulator/lose?gpu=0, .../simulator/reset?gpu=0");
        output.Line($"kubelet         {environment.Kubelet!.RegistrationSocket}, {environment.Kubelet.PodResourcesSocket}");
        output.Line($"API server      {environment.Api!.Url} (kubeconfig {Path.Combine(environment.Directory, "kubeconfig")})");
        output.Line($"Ray GCS         {environment.Gcs!.Address} (plaintext gRPC, ray.rpc.autoscaler.AutoscalerStateService)");
        if (output.Json)
        {
            output.Progress("running until Ctrl-C (SIGINT) or SIGTERM");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            output.Progress("stopping");
        }
    }
}
