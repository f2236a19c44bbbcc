using System.Diagnostics;
using Platform.NodeAgent.Dra.Cdi;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Kubernetes;

namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>
/// NodePrepareResources / NodeUnprepareResources for both API versions. Per claim: a claim already recorded
/// is answered from its record (the kubelet retries, and calls again after restarts); otherwise the claim is
/// read from the API server, checked (<see cref="ClaimAllocationReader"/>), its CDI spec written and the
/// claim recorded, in that order, so that a crash in between leaves nothing Unprepare could not find.
/// Failures are per claim; one bad claim never fails the others.
/// </summary>
internal sealed partial class ClaimPreparer(
    string driverName,
    string cdiDirectory,
    string? poolName,
    KubernetesConnection kubernetes,
    Func<IReadOnlyList<GpuDevice>> gpus,
    Func<string, string?> unhealthyReason,
    PreparedClaimStore store,
    TimeProvider time,
    ILogger<ClaimPreparer> logger,
    Action? prepared = null)
{
    // Records and CDI files change under this lock only; API reads happen outside it.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public PreparedClaimStore Store => store;

    public async Task<IReadOnlyDictionary<string, ClaimOutcome>> PrepareAsync(IReadOnlyList<ClaimRef> claims, CancellationToken cancellationToken)
    {
        var distinct = claims.DistinctBy(c => c.Uid).ToList();
        var outcomes = await Task.WhenAll(distinct.Select(c => PrepareOneAsync(c, cancellationToken))).ConfigureAwait(false);
        if (prepared is not null && outcomes.Any(o => o.Error is null))
        {
            // A pod is about to start on these GPUs: metrics and remediation should know it holds them now, as
            // after the device plugin's Allocate, not at the next periodic pod-resources listing.
            prepared();
        }

        return distinct.Select((c, i) => (c.Uid, outcomes[i])).ToDictionary(p => p.Uid, p => p.Item2, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, string?>> UnprepareAsync(IReadOnlyList<ClaimRef> claims, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var claim in claims.DistinctBy(c => c.Uid))
        {
            results[claim.Uid] = await UnprepareOneAsync(claim, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    private async Task<ClaimOutcome> PrepareOneAsync(ClaimRef claim, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (!PreparedClaimStore.IsValidUid(claim.Uid))
            {
                return Refused(claim, $"claim uid '{claim.Uid}' is not a Kubernetes uid");
            }

            if (await FromRecordAsync(claim, cancellationToken).ConfigureAwait(false) is { } recorded)
            {
                return recorded;
            }

            if (string.IsNullOrEmpty(poolName))
            {
                return Refused(claim, "Node:Name (NODE_NAME) is not set, so this node's pool is unknown");
            }

            if (kubernetes.Api is not { } api)
            {
                return Refused(claim, $"no Kubernetes API access to read the claim: {kubernetes.Unavailable}");
            }

            var info = await api.GetResourceClaimAsync(claim.Namespace, claim.Name, cancellationToken).ConfigureAwait(false);
            var (allocated, error) = ClaimAllocationReader.Read(claim, info, driverName, poolName, gpus(), unhealthyReason);
            if (error is not null)
            {
                return Refused(claim, error);
            }

            var prepared = new PreparedClaim(
                claim,
                [.. allocated!.Select(a => new PreparedDevice(
                    a.RequestNames, a.PoolName, a.DeviceName, a.Gpu.Uuid,
                    ClaimCdiSpec.DeviceIds(driverName, claim.Uid, a.Gpu.Uuid, a.RequestNames)))],
                Path.Combine(cdiDirectory, ClaimCdiSpec.FileName(driverName, claim.Uid)),
                time.GetUtcNow());

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Another call for the same claim may have finished while this one read the API.
                if (store.Load(claim.Uid, out _) is { } raced)
                {
                    return new ClaimOutcome(raced.Devices, null);
                }

                WriteSpec(prepared);
                store.Save(prepared);
            }
            finally
            {
                _gate.Release();
            }

            LogPrepared(claim.ToString(), prepared.Devices.Count, string.Join(",", prepared.Devices.Select(d => d.DeviceName)), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new ClaimOutcome(prepared.Devices, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Refused(claim, $"preparing failed: {ex.Message}");
        }
    }

    /// <summary>A recorded claim is answered as recorded; its CDI spec is written again if it went (a tmpfs /var/run after a reboot).</summary>
    private async Task<ClaimOutcome?> FromRecordAsync(ClaimRef claim, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var recorded = store.Load(claim.Uid, out var problem);
            if (problem is not null)
            {
                LogUnreadableRecord(claim.ToString(), problem);
            }

            if (recorded is null)
            {
                return null;
            }

            if (recorded.Claim.Namespace != claim.Namespace || recorded.Claim.Name != claim.Name)
            {
                return Refused(claim, $"claim uid {claim.Uid} was prepared as {recorded.Claim.Namespace}/{recorded.Claim.Name}, not {claim.Namespace}/{claim.Name}");
            }

            if (!File.Exists(recorded.CdiSpecFile))
            {
                WriteSpec(recorded);
            }

            LogAlreadyPrepared(claim.ToString());
            return new ClaimOutcome(recorded.Devices, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string?> UnprepareOneAsync(ClaimRef claim, CancellationToken cancellationToken)
    {
        if (!PreparedClaimStore.IsValidUid(claim.Uid))
        {
            // Prepare never accepted it, so there is nothing of it to remove.
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var recorded = store.Load(claim.Uid, out _);

            // Without a record (never prepared, already unprepared, or a crash between spec and record) the
            // only thing Prepare can have left is the claim's spec under its own name.
            var spec = recorded?.CdiSpecFile ?? Path.Combine(cdiDirectory, ClaimCdiSpec.FileName(driverName, claim.Uid));
            var removedSpec = AtomicFile.Delete(spec);
            var removedRecord = store.Delete(claim.Uid);
            if (removedSpec || removedRecord)
            {
                LogUnprepared(claim.ToString(), spec);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnprepareFailed(claim.ToString(), ex.Message);
            return $"unpreparing failed: {ex.Message}";
        }
        finally
        {
            _gate.Release();
        }
    }

    private void WriteSpec(PreparedClaim claim) =>
        AtomicFile.Write(claim.CdiSpecFile, ClaimCdiSpec.Build(driverName, claim.Devices.Select(d => (d.Uuid, d.CdiDeviceIds))));

    private ClaimOutcome Refused(ClaimRef claim, string error)
    {
        LogRefused(claim.ToString(), error);
        return ClaimOutcome.Failed(error);
    }

    [LoggerMessage(EventId = 1910, Level = LogLevel.Information, Message = "Prepared claim {Claim}: {DeviceCount} GPUs ({DeviceNames}) in {ElapsedMs:0.0} ms.")]
    private partial void LogPrepared(string claim, int deviceCount, string deviceNames, double elapsedMs);

    [LoggerMessage(EventId = 1911, Level = LogLevel.Debug, Message = "Claim {Claim} is already prepared; answered from its record.")]
    private partial void LogAlreadyPrepared(string claim);

    [LoggerMessage(EventId = 1912, Level = LogLevel.Warning, Message = "Cannot prepare claim {Claim}: {Reason}.")]
    private partial void LogRefused(string claim, string reason);

    [LoggerMessage(EventId = 1913, Level = LogLevel.Warning, Message = "The record of claim {Claim} is unreadable and is prepared again: {Problem}.")]
    private partial void LogUnreadableRecord(string claim, string problem);

    [LoggerMessage(EventId = 1914, Level = LogLevel.Information, Message = "Unprepared claim {Claim}: removed {CdiSpecFile} and its record.")]
    private partial void LogUnprepared(string claim, string cdiSpecFile);

    [LoggerMessage(EventId = 1915, Level = LogLevel.Warning, Message = "Cannot unprepare claim {Claim}: {Reason}.")]
    private partial void LogUnprepareFailed(string claim, string reason);
}
