using Platform.Webhook.Hosting;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>A reloadable file whose change check blocks until released: a check still running when the host stops.</summary>
internal sealed class BlockingReloadableFile(string file) : IReloadableFile, IDisposable
{
    private readonly ManualResetEventSlim _release = new();

    /// <summary>Completes when a check has started (and is now blocked).</summary>
    public TaskCompletionSource CheckEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> WatchedFiles { get; } = [file];

    public ReloadStatus Status => ReloadStatus.NotLoaded(file);

    public void LoadInitial()
    {
    }

    public void CheckForChange()
    {
        CheckEntered.TrySetResult();
        // Bounded, so a failing test cannot leave a thread blocked for ever.
        _release.Wait(WebhookTestHost.Timeout);
    }

    public void Release() => _release.Set();

    public void Dispose() => _release.Dispose();
}
