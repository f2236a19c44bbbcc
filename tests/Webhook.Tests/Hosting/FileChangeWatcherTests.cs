using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Platform.Webhook.Hosting;

namespace Platform.Webhook.Tests.Hosting;

public sealed class FileChangeWatcherTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("webhook-watch-").FullName;

    [Fact]
    public async Task RunAsync_PollIntervalElapses_ChecksWithoutAnyFileEvent()
    {
        var time = new FakeTimeProvider();
        var file = Path.Combine(_directory, "policy.yaml");
        using var watcher = new FileChangeWatcher([file], time);
        var checks = Channel.CreateUnbounded<bool>();
        using var stop = new CancellationTokenSource();
        var loop = watcher.RunAsync(() => checks.Writer.TryWrite(true), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(150), stop.Token);

        time.Advance(TimeSpan.FromSeconds(1));
        await checks.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        time.Advance(TimeSpan.FromSeconds(1));
        await checks.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

        await stop.CancelAsync();
        await loop.WaitAsync(Timeout);
        Assert.True(loop.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task RunAsync_FileWrittenInDirectory_ChecksWithoutWaitingForThePoll()
    {
        var file = Path.Combine(_directory, "tls.crt");
        using var watcher = new FileChangeWatcher([file], TimeProvider.System);
        Assert.Empty(watcher.WatchErrors);
        var checks = Channel.CreateUnbounded<bool>();
        using var stop = new CancellationTokenSource();
        // An hour-long poll: only the directory event can cause the check within the test's timeout.
        var loop = watcher.RunAsync(() => checks.Writer.TryWrite(true), TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(10), stop.Token);

        await File.WriteAllTextAsync(file, "new");

        Assert.True(await checks.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        await stop.CancelAsync();
        await loop.WaitAsync(Timeout);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
