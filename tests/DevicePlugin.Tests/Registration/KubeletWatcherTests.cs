using System.Threading.Channels;
using Platform.DevicePlugin.Registration;
using Platform.DevicePlugin.Tests.TestSupport;

namespace Platform.DevicePlugin.Tests.Registration;

/// <summary>The watcher's two paths: inotify events, and the periodic check that catches what inotify misses.</summary>
public sealed class KubeletWatcherTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Channel<KubeletSignal> _signals = Channel.CreateUnbounded<KubeletSignal>();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Watcher_KubeletSockCreated_Signals()
    {
        using var watcher = new KubeletWatcher(_dir.Path, ["nvidia-gpu.sock"], _signals.Writer);

        await File.WriteAllTextAsync(_dir.File("kubelet.sock"), string.Empty);
        var signal = await NextAsync(s => s.Source == "watcher");

        Assert.Null(watcher.WatcherError);
        Assert.Equal(KubeletSignalKind.KubeletSocketCreated, signal.Kind);
    }

    [Fact]
    public async Task Watcher_OurSocketDeleted_Signals_OtherFilesIgnored()
    {
        await File.WriteAllTextAsync(_dir.File("nvidia-gpu.sock"), string.Empty);
        await File.WriteAllTextAsync(_dir.File("other.sock"), string.Empty);
        using var watcher = new KubeletWatcher(_dir.Path, ["nvidia-gpu.sock"], _signals.Writer);

        File.Delete(_dir.File("other.sock"));
        File.Delete(_dir.File("nvidia-gpu.sock"));
        var signal = await NextAsync(s => s.Source == "watcher");

        Assert.Equal(KubeletSignalKind.PluginSocketDeleted, signal.Kind);
        Assert.Equal("nvidia-gpu.sock", signal.SocketName);
    }

    [Fact]
    public async Task Check_KubeletSockAppearedOrOurSocketMissing_SignalsWithoutInotify()
    {
        // A directory that does not exist yet: no inotify, so only the periodic check can see anything.
        var directory = _dir.File("late");
        using var watcher = new KubeletWatcher(directory, ["nvidia-gpu.sock"], _signals.Writer);
        Directory.CreateDirectory(directory);
        watcher.Check(_ => false);
        Assert.False(_signals.Reader.TryRead(out _));

        await File.WriteAllTextAsync(Path.Combine(directory, "kubelet.sock"), string.Empty);
        watcher.Check(socket => socket == "nvidia-gpu.sock");
        watcher.Check(_ => false);

        Assert.NotNull(watcher.WatcherError);
        Assert.True(_signals.Reader.TryRead(out var first));
        Assert.True(_signals.Reader.TryRead(out var second));
        Assert.False(_signals.Reader.TryRead(out _));
        Assert.Equal(KubeletSignalKind.KubeletSocketCreated, first!.Kind);
        Assert.Equal(new KubeletSignal(KubeletSignalKind.PluginSocketDeleted, "nvidia-gpu.sock", "periodic-check", second!.ObservedTimestamp), second);
    }

    [Fact]
    public void Constructor_MissingDirectory_ReportsWatcherErrorButStillChecks()
    {
        using var watcher = new KubeletWatcher(_dir.File("absent"), ["nvidia-gpu.sock"], _signals.Writer);

        watcher.Check(_ => true);

        Assert.NotNull(watcher.WatcherError);
        Assert.True(_signals.Reader.TryRead(out var signal));
        Assert.Equal(KubeletSignalKind.PluginSocketDeleted, signal!.Kind);
    }

    private async Task<KubeletSignal> NextAsync(Func<KubeletSignal, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.Timeout);
        while (true)
        {
            var signal = await _signals.Reader.ReadAsync(timeout.Token);
            if (predicate(signal))
            {
                return signal;
            }
        }
    }
}
