using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Platform.NodeAgent.Remediation;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>GPU remediation's REST calls (see <see cref="IKubernetesApi"/>), JSON through <see cref="RemediationJsonContext"/>.</summary>
internal sealed partial class KubernetesApi
{
    private static long _eventSequence;

    public async Task<RemediationPod?> GetPodAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var pod = await SendAsync(HttpMethod.Get, PodPath(@namespace, name), null, RemediationJsonContext.Default.RemediationPodDto, cancellationToken).ConfigureAwait(false);
        if (pod is null)
        {
            return null;
        }

        var condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == RemediationNames.ConditionType);
        return new RemediationPod(
            pod.Metadata?.Namespace ?? @namespace,
            pod.Metadata?.Name ?? name,
            pod.Metadata?.Uid,
            pod.Spec?.NodeName,
            pod.Status?.PodIp,
            pod.Metadata?.Labels ?? [],
            pod.Metadata?.DeletionTimestamp is not null,
            condition is null ? null : new PodCondition(condition.Type, condition.Status, condition.Reason, condition.Message, ParseTime(condition.LastTransitionTime)));
    }

    public async Task<bool> PatchPodConditionAsync(string @namespace, string name, PodCondition condition, CancellationToken cancellationToken)
    {
        var patch = new PodStatusPatchDto();
        patch.Status.Conditions.Add(new PodConditionDto
        {
            Type = condition.Type,
            Status = condition.Status,
            Reason = condition.Reason,
            Message = condition.Message is { Length: > 1024 } text ? text[..1024] : condition.Message,
            LastTransitionTime = condition.LastTransitionTime?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        });
        var content = new StringContent(JsonSerializer.Serialize(patch, RemediationJsonContext.Default.PodStatusPatchDto), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/strategic-merge-patch+json");
        var pod = await SendAsync(HttpMethod.Patch, PodPath(@namespace, name) + "/status", content, RemediationJsonContext.Default.AnyObjectDto, cancellationToken).ConfigureAwait(false);
        return pod is not null;
    }

    public async Task CreatePodEventAsync(PodEvent podEvent, CancellationToken cancellationToken)
    {
        var sequence = Interlocked.Increment(ref _eventSequence);
        var body = new EventDto
        {
            // Names must be unique: several Events about one pod can share a tick.
            Metadata = new ObjectMetaDto { Name = string.Create(CultureInfo.InvariantCulture, $"{podEvent.PodName}.{podEvent.At.UtcTicks:x}{sequence:x}"), Namespace = podEvent.Namespace },
            EventTime = podEvent.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            Type = podEvent.Type,
            Reason = podEvent.Reason,
            Action = podEvent.Action,
            Note = podEvent.Note.Length > 1024 ? podEvent.Note[..1024] : podEvent.Note,
            ReportingController = ReportingController,
            ReportingInstance = ReportingInstance(podEvent.ReportingNode),
            Regarding = new ObjectReferenceDto { Kind = "Pod", Namespace = podEvent.Namespace, Name = podEvent.PodName, Uid = podEvent.PodUid },
        };
        var content = new StringContent(JsonSerializer.Serialize(body, KubernetesJsonContext.Default.EventDto), Encoding.UTF8, "application/json");
        _ = await SendAsync(HttpMethod.Post, $"apis/events.k8s.io/v1/namespaces/{Uri.EscapeDataString(podEvent.Namespace)}/events", content, RemediationJsonContext.Default.AnyObjectDto, cancellationToken).ConfigureAwait(false);
    }

    public async Task<EvictionResult> EvictPodAsync(string @namespace, string name, string? uid, CancellationToken cancellationToken)
    {
        var body = new EvictionDto
        {
            Metadata = new ObjectMetaDto { Name = name, Namespace = @namespace },
            DeleteOptions = uid is null ? null : new DeleteOptionsDto { Preconditions = new PreconditionsDto { Uid = uid } },
        };
        var content = new StringContent(JsonSerializer.Serialize(body, RemediationJsonContext.Default.EvictionDto), Encoding.UTF8, "application/json");
        try
        {
            var reply = await SendAsync(HttpMethod.Post, PodPath(@namespace, name) + "/eviction", content, RemediationJsonContext.Default.AnyObjectDto, cancellationToken).ConfigureAwait(false);
            return reply is null ? new EvictionResult(EvictionOutcome.Gone, null) : new EvictionResult(EvictionOutcome.Evicted, null);
        }
        catch (KubernetesApiException ex) when (ex.Status == HttpStatusCode.TooManyRequests)
        {
            // A PodDisruptionBudget forbids it now; the caller retries with backoff.
            return new EvictionResult(EvictionOutcome.Refused, ex.Message);
        }
    }

    public async Task<IReadOnlyDictionary<string, string>?> GetNamespaceLabelsAsync(string @namespace, CancellationToken cancellationToken)
    {
        var found = await SendAsync(HttpMethod.Get, $"api/v1/namespaces/{Uri.EscapeDataString(@namespace)}", null, RemediationJsonContext.Default.RemediationObjectDto, cancellationToken).ConfigureAwait(false);
        return found is null ? null : found.Metadata?.Labels ?? new Dictionary<string, string>();
    }

    public async Task<IReadOnlyList<GpuNodeMarks>> ListNodeMarksAsync(string labelSelector, CancellationToken cancellationToken)
    {
        var list = await SendAsync(HttpMethod.Get, $"api/v1/nodes?labelSelector={Uri.EscapeDataString(labelSelector)}", null, RemediationJsonContext.Default.RemediationListDto, cancellationToken).ConfigureAwait(false);
        return [.. (list?.Items ?? []).Select(Marks)];
    }

    public async Task<GpuNodeMarks> GetNodeMarksAsync(string name, CancellationToken cancellationToken)
    {
        var node = await SendAsync(HttpMethod.Get, $"api/v1/nodes/{Uri.EscapeDataString(name)}", null, RemediationJsonContext.Default.RemediationObjectDto, cancellationToken).ConfigureAwait(false)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"Node {name} does not exist.");
        return Marks(node);
    }

    private static GpuNodeMarks Marks(RemediationObjectDto node) => new(
        node.Metadata?.Name ?? string.Empty,
        node.Metadata?.Annotations?.GetValueOrDefault(RemediationNames.NodeAnnotation),
        node.Spec?.Taints?.Any(t => t.Key == RemediationNames.DegradedTaintKey) == true,
        node.Metadata?.ResourceVersion,
        node.Metadata?.Annotations?.GetValueOrDefault(RemediationNames.EvictionsAnnotation));

    private static string PodPath(string @namespace, string name) =>
        $"api/v1/namespaces/{Uri.EscapeDataString(@namespace)}/pods/{Uri.EscapeDataString(name)}";

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;
}
