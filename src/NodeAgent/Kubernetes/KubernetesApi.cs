using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.ClientSets;
using k8s.Models;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Kubernetes;

/// <summary><see cref="IKubernetesApi"/> over KubernetesClient.Aot (no reflection, no trim/AOT warnings).</summary>
internal sealed class KubernetesApi : IKubernetesApi, IDisposable
{
    /// <summary>Names the agent in Events' reportingController.</summary>
    public const string ReportingController = "platform.raygpu.io/node-agent";

    private readonly k8s.Kubernetes _client;
    private readonly ClientSet _clients;

    public KubernetesApi(KubernetesClientConfiguration configuration)
    {
        _client = new k8s.Kubernetes(configuration);
        _clients = new ClientSet(_client);
    }

    public async Task<NodeState> GetNodeAsync(string name, CancellationToken cancellationToken)
    {
        var node = await _clients.CoreV1.Node.GetAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        var labels = node.Metadata?.Labels is { } l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : [];
        var taints = node.Spec?.Taints?.Select(t => new NodeTaint(t.Key, string.IsNullOrEmpty(t.Value) ? null : t.Value, t.Effect)).ToList() ?? [];
        return new NodeState(labels, taints, node.Metadata?.ResourceVersion);
    }

    public async Task PatchNodeAsync(string name, string mergePatchJson, CancellationToken cancellationToken) =>
        await _clients.CoreV1.Node.PatchAsync(new V1Patch(mergePatchJson, V1Patch.PatchType.MergePatch), name, cancellationToken: cancellationToken).ConfigureAwait(false);

    public async Task CreateNodeEventAsync(NodeEvent nodeEvent, CancellationToken cancellationToken)
    {
        var body = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta
            {
                // Node events live in "default", the namespace kubectl describe node looks in.
                Name = string.Create(CultureInfo.InvariantCulture, $"{nodeEvent.NodeName}.{nodeEvent.At.UtcTicks:x}"),
                NamespaceProperty = "default",
            },
            EventTime = nodeEvent.At.UtcDateTime,
            Type = nodeEvent.Type,
            Reason = nodeEvent.Reason,
            Action = nodeEvent.Action,
            Note = nodeEvent.Note.Length > 1024 ? nodeEvent.Note[..1024] : nodeEvent.Note,
            ReportingController = ReportingController,
            ReportingInstance = $"{ReportingController}-{nodeEvent.NodeName}",
            Regarding = new V1ObjectReference { Kind = "Node", ApiVersion = "v1", Name = nodeEvent.NodeName },
        };
        await _clients.EventsV1.Event.CreateAsync(body, "default", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, string>?> GetPodLabelsAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            var pod = await _clients.CoreV1.Pod.GetAsync(name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return pod.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public void Dispose() => _client.Dispose();
}
