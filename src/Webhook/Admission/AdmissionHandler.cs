using Microsoft.Extensions.Options;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Admission;

/// <summary>Bytes in, bytes out: decodes an AdmissionReview, mutates CREATE of Ray pods with the policy in
/// force, and encodes the answer; CREATE and UPDATE of RayClusters, RayJobs and RayServices get the same policy
/// on their group templates. Everything else is allowed untouched. Only a request
/// that cannot be answered at all (no JSON, no uid) throws; every other failure becomes an answer that
/// echoes the uid, allowed with a warning or denied as <c>Admission:OnError</c> says.</summary>
internal sealed partial class AdmissionHandler(IPolicySource policies, IOptionsMonitor<AdmissionOptions> options, ILogger<AdmissionHandler> logger)
{
    private const string PodKindHead = "head";
    private const string PodKindWorker = "worker";
    private const string PodKindOther = "other";

    /// <param name="body">The AdmissionReview as received.</param>
    /// <param name="cancellationToken">The request's: when the API server has given up, the work stops and
    /// <see cref="OperationCanceledException"/> propagates instead of an answer nobody reads.</param>
    public AdmissionOutcome Handle(ReadOnlySpan<byte> body, CancellationToken cancellationToken = default)
    {
        using var request = AdmissionRequest.Parse(body);

        if (request.RayResourceKind is { } kind)
        {
            return HandleRayResource(request, kind, cancellationToken);
        }

        if (!request.IsPodCreate || request.Pod is not { } pod)
        {
            return Allow(request, PodKindOther);
        }

        var (result, error) = Mutate(
            request,
            (pod, request.Namespace, policies, cancellationToken),
            static s => PodMutator.Mutate(s.pod, s.Namespace, s.policies.Current, keepMutated: false, s.cancellationToken),
            cancellationToken);
        if (result is null)
        {
            return OnError(request, PodKindOther, $"internal error: {error}", [], null, null);
        }

        var podKind = result.Kind switch
        {
            RayPodKind.Head => PodKindHead,
            RayPodKind.Worker => PodKindWorker,
            _ => PodKindOther,
        };

        switch (result.Decision)
        {
            case MutationDecision.Patched:
                using (Scope(request, LogLevel.Information))
                {
                    LogPatched(result.Kind, result.Cluster, result.Group, result.Profile ?? PolicyAnnotations.DefaultPolicyValue, result.Patch.Count, request.DryRun);
                }

                break;
            case MutationDecision.Denied:
                using (Scope(request, LogLevel.Warning))
                {
                    LogDenied(result.Kind, result.Cluster, result.Group, result.Message);
                }

                break;
            case MutationDecision.Failed:
                using (Scope(request, LogLevel.Error))
                {
                    LogMutationFailed(result.Kind, result.Cluster, result.Group, result.Message);
                }

                break;
        }

        return Respond(request, podKind, result.Decision, result.Patch, result.Warnings, result.AuditAnnotations, result.Message, result);
    }

    /// <summary>A RayCluster, RayJob or RayService on CREATE or UPDATE: every group template through the core
    /// (<see cref="RayResourceMutator"/>); the answer follows the same vocabulary as a pod's.</summary>
    private AdmissionOutcome HandleRayResource(AdmissionRequest request, string kind, CancellationToken cancellationToken)
    {
        var objectKind = kind.ToLowerInvariant();
        var (result, error) = Mutate(
            request,
            (kind, request.RayResource, request.OldRayResource, request.Namespace, policies, cancellationToken),
            static s => RayResourceMutator.Mutate(s.kind, s.RayResource, s.OldRayResource, s.Namespace, s.policies.Current, keepMutated: false, s.cancellationToken),
            cancellationToken);
        if (result is null)
        {
            return OnError(request, objectKind, $"internal error: {error}", [], null, null);
        }

        switch (result.Decision)
        {
            case MutationDecision.Patched:
                using (Scope(request, LogLevel.Information))
                {
                    LogResourcePatched(kind, result.Cluster, result.Patch.Count, request.Operation, request.DryRun);
                }

                break;
            case MutationDecision.Denied:
                using (Scope(request, LogLevel.Warning))
                {
                    LogResourceDenied(kind, result.Cluster, result.Message);
                }

                break;
            case MutationDecision.Failed:
                using (Scope(request, LogLevel.Error))
                {
                    LogResourceFailed(kind, result.Cluster, result.Message);
                }

                break;
        }

        return Respond(request, objectKind, result.Decision, result.Patch, result.Warnings, result.AuditAnnotations, result.Message, null);
    }

    /// <summary>Runs a mutation; the core is pure and should not throw, but if it does the request still gets an
    /// answer (no result here, the exception's message, logged); reading the policy counts as part of it. Cancellation by the API server propagates. The
    /// state goes in as a value and the delegates are static, so no closure is allocated per request.</summary>
    private (T? Result, string? Error) Mutate<TState, T>(AdmissionRequest request, TState state, Func<TState, T> mutate, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return (mutate(state), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            using (Scope(request, LogLevel.Error))
            {
                LogHandlerFailed(e, request.Uid);
            }

            return (null, e.Message);
        }
    }

    /// <summary>The answer for a decision, the same for pods and custom resources.</summary>
    private AdmissionOutcome Respond(
        AdmissionRequest request,
        string kind,
        MutationDecision decision,
        IReadOnlyList<JsonPatchOperation> patch,
        IReadOnlyList<string> warnings,
        IReadOnlyDictionary<string, string> audit,
        string? message,
        MutationResult? result) => decision switch
        {
            MutationDecision.Patched => new AdmissionOutcome(
                AdmissionResponseWriter.Write(request.ApiVersion, request.Uid, true, patch, warnings, audit), request.Uid, AdmissionOutcome.Patched, kind, result),
            MutationDecision.Denied => new AdmissionOutcome(
                AdmissionResponseWriter.Write(request.ApiVersion, request.Uid, false, null, warnings, audit, 403, message), request.Uid, AdmissionOutcome.Denied, kind, result),
            MutationDecision.Failed => OnError(request, kind, message ?? "mutation failed", warnings, audit, result),
            _ => new AdmissionOutcome(
                AdmissionResponseWriter.Write(request.ApiVersion, request.Uid, true, null, warnings, audit), request.Uid, AdmissionOutcome.Allowed, kind, result),
        };

    private static AdmissionOutcome Allow(AdmissionRequest request, string podKind) =>
        new(AdmissionResponseWriter.Write(request.ApiVersion, request.Uid, true, null, [], null), request.Uid, AdmissionOutcome.Allowed, podKind, null);

    private AdmissionOutcome OnError(
        AdmissionRequest request,
        string podKind,
        string message,
        IReadOnlyList<string> priorWarnings,
        IReadOnlyDictionary<string, string>? audit,
        MutationResult? result)
    {
        var text = $"raygpu webhook: {message}";
        var warnings = new List<string>(priorWarnings);
        var deny = options.CurrentValue.OnError == OnErrorAction.Deny;
        if (!deny)
        {
            warnings.Add(text.Length <= MutationContext.MaxWarningLength ? text : string.Concat(text.AsSpan(0, MutationContext.MaxWarningLength - 1), "…"));
        }

        var body = AdmissionResponseWriter.Write(
            request.ApiVersion,
            request.Uid,
            !deny,
            null,
            warnings,
            audit,
            deny ? 500 : null,
            deny ? text : null);
        return new AdmissionOutcome(body, request.Uid, AdmissionOutcome.Error, podKind, result);
    }

    /// <summary>The request's logging scope (uid, namespace, pod, cluster, group) around a log line, opened only
    /// when the line is written: with the console logger a scope costs an AsyncLocal push per request, about 2 %
    /// of the server's CPU under load, for lines that are mostly filtered out.</summary>
    private IDisposable? Scope(AdmissionRequest request, LogLevel level)
    {
        if (!logger.IsEnabled(level))
        {
            return null;
        }

        return RequestScope(
            logger,
            request.Uid,
            request.Namespace ?? string.Empty,
            request.ObjectName(),
            request.PodLabel(RayLabels.Cluster),
            request.PodLabel(RayLabels.Group));
    }

    private static readonly Func<ILogger, string, string, string, string, string, IDisposable?> RequestScope =
        LoggerMessage.DefineScope<string, string, string, string, string>(
            "Admission {AdmissionUid} of {Namespace}/{GenerateName} (cluster {RayCluster}, group {RayGroup})");

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Patched Ray {PodKind} of cluster {RayCluster} group {RayGroup} with profile {Profile}: {OperationCount} operations (dry run: {DryRun})")]
    private partial void LogPatched(RayPodKind podKind, string? rayCluster, string? rayGroup, string profile, int operationCount, bool dryRun);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Denied Ray {PodKind} of cluster {RayCluster} group {RayGroup}: {Reason}")]
    private partial void LogDenied(RayPodKind podKind, string? rayCluster, string? rayGroup, string? reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Could not mutate Ray {PodKind} of cluster {RayCluster} group {RayGroup}: {Reason}")]
    private partial void LogMutationFailed(RayPodKind podKind, string? rayCluster, string? rayGroup, string? reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Patched {Kind} {RayCluster}: {OperationCount} operations on {Operation} (dry run: {DryRun})")]
    private partial void LogResourcePatched(string kind, string? rayCluster, int operationCount, string? operation, bool dryRun);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Denied {Kind} {RayCluster}: {Reason}")]
    private partial void LogResourceDenied(string kind, string? rayCluster, string? reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Could not mutate {Kind} {RayCluster}: {Reason}")]
    private partial void LogResourceFailed(string kind, string? rayCluster, string? reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "The admission handler failed on request {AdmissionUid}")]
    private partial void LogHandlerFailed(Exception exception, string admissionUid);
}
