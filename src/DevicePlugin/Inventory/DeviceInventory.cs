namespace Platform.DevicePlugin.Inventory;

/// <summary>
/// The devices the plugin advertises. The node agent owns the content (discovery, health); every change
/// is pushed to all open ListAndWatch streams. Thread-safe; updates never block on the streams.
/// </summary>
public sealed class DeviceInventory
{
    /// <summary>The kubelet caps device IDs at 63 characters; 5 are kept for the replica suffix "::NNN".</summary>
    internal const int MaxUuidLength = 58;

    private readonly Lock _gate = new();
    private InventorySnapshot _current = InventorySnapshot.Empty;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Raised after every change, on the thread that made it. Handlers must be quick and must not throw.</summary>
    public event EventHandler<InventorySnapshot>? Changed;

    /// <summary>The current, immutable state.</summary>
    public InventorySnapshot Current => Volatile.Read(ref _current);

    /// <summary>
    /// Replaces the whole device set and topology (after discovery, or when a GPU appears or disappears).
    /// Throws <see cref="ArgumentException"/> naming the field for duplicate or invalid UUIDs or indexes.
    /// </summary>
    public void SetDevices(IEnumerable<GpuDevice> devices, IEnumerable<GpuLink>? links = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var list = devices.OrderBy(d => d.Index).ToArray();
        InventoryValidator.Validate(list);
        var linkList = (links ?? []).ToArray();
        Publish(current => new InventorySnapshot(current.Version + 1, true, list, linkList));
    }

    /// <summary>
    /// Sets one GPU's health (and reason). Returns false when the UUID is unknown or nothing changed.
    /// Unhealthy devices may recover: set them Healthy again when the cause is gone.
    /// </summary>
    public bool SetHealth(string uuid, DeviceHealth health, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(uuid);
        var changed = false;
        Publish(current =>
        {
            var device = current.Find(uuid);
            if (device is null || (device.Health == health && device.HealthReason == reason))
            {
                return null;
            }

            changed = true;
            var updated = device with { Health = health, HealthReason = reason };
            var devices = current.Devices.Select(d => ReferenceEquals(d, device) ? updated : d).ToArray();
            return new InventorySnapshot(current.Version + 1, current.IsPopulated, devices, current.Links);
        });
        return changed;
    }

    /// <summary>Completes when <see cref="Current"/> has a version above <paramref name="seenVersion"/>.</summary>
    internal Task WaitForChangeAsync(long seenVersion, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (_current.Version > seenVersion)
            {
                return Task.CompletedTask;
            }

            signal = _changed.Task;
        }

        return signal.WaitAsync(cancellationToken);
    }

    private void Publish(Func<InventorySnapshot, InventorySnapshot?> change)
    {
        InventorySnapshot? next;
        TaskCompletionSource? toSignal = null;
        lock (_gate)
        {
            next = change(_current);
            if (next is null)
            {
                return;
            }

            Volatile.Write(ref _current, next);
            toSignal = _changed;
            _changed = NewSignal();
        }

        // Completed outside the lock and asynchronously: a waiting stream never runs on the agent's thread.
        toSignal.TrySetResult();
        Changed?.Invoke(this, next);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
