using System.Threading.Channels;
using Grpc.Core;

namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>A server stream writer backed by a channel; <see cref="Gate"/> lets a test hold writes to play a slow client.</summary>
internal sealed class ChannelStreamWriter<T> : IServerStreamWriter<T>
{
    private readonly Channel<T> _written = Channel.CreateUnbounded<T>();

    public Func<T, Task>? Gate { get; set; }

    public WriteOptions? WriteOptions { get; set; }

    public Task<T> NextAsync() => _written.Reader.ReadAsync().DefaultTimeout();

    public bool TryRead(out T? item) => _written.Reader.TryRead(out item);

    public async Task WriteAsync(T message)
    {
        if (Gate is { } gate)
        {
            await gate(message);
        }

        _written.Writer.TryWrite(message);
    }

    public Task WriteAsync(T message, CancellationToken cancellationToken) => WriteAsync(message).WaitAsync(cancellationToken);
}
