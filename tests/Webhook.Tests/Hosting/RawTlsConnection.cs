using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Platform.Webhook.Tests.Hosting;

/// <summary>
/// A hand-driven HTTP/1.1-over-TLS connection to the admission port, for what HttpClient will not do: send
/// half a body and stop, vanish mid-request, or sit idle.
/// </summary>
internal sealed class RawTlsConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;

    private RawTlsConnection(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public static async Task<RawTlsConnection> OpenAsync(int port)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(WebhookTestHost.Timeout);
            var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }).WaitAsync(WebhookTestHost.Timeout);
            return new RawTlsConnection(tcp, tls);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>The request line and headers of a POST /mutate announcing <paramref name="contentLength"/> bytes.</summary>
    public static byte[] PostHeaders(int contentLength) => Encoding.ASCII.GetBytes(
        $"POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n");

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _tls.WriteAsync(bytes).AsTask().WaitAsync(WebhookTestHost.Timeout);
        await _tls.FlushAsync().WaitAsync(WebhookTestHost.Timeout);
    }

    /// <summary>Stops sending (TLS close_notify, then TCP FIN) but keeps reading: the client is done before its body is.</summary>
    public async Task StopSendingAsync()
    {
        await _tls.ShutdownAsync().WaitAsync(WebhookTestHost.Timeout);
        _tcp.Client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Drops the connection at once (RST), as a client that crashed.</summary>
    public void Vanish()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Close();
    }

    /// <summary>Everything the server sends until it closes the connection; empty when it closed without answering.</summary>
    public async Task<string> ReadToEndAsync()
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await _tls.ReadAsync(buffer).AsTask().WaitAsync(WebhookTestHost.Timeout)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after (or instead of) the answer: what arrived is the answer.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>One HTTP/1.1 answer (status line, headers, and a Content-Length body), leaving the connection open.</summary>
    public async Task<string> ReadAnswerAsync()
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(received)) < 0)
        {
            var read = await _tls.ReadAsync(buffer).AsTask().WaitAsync(WebhookTestHost.Timeout);
            if (read == 0)
            {
                return Encoding.UTF8.GetString(received.ToArray());
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var headers = Encoding.ASCII.GetString(received.ToArray(), 0, headerEnd);
        var lengthLine = headers.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        while (received.Count < headerEnd + 4 + length)
        {
            var read = await _tls.ReadAsync(buffer).AsTask().WaitAsync(WebhookTestHost.Timeout);
            if (read == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    /// <summary>True when the server has closed this connection (a read returns end of stream or fails).</summary>
    public async Task<bool> ClosedByServerAsync()
    {
        try
        {
            return await _tls.ReadAsync(new byte[1]).AsTask().WaitAsync(WebhookTestHost.Timeout) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static int IndexOfHeaderEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
