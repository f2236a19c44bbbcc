using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Platform.Webhook.Benchmarks;

/// <summary>
/// The throughput baseline for /mutate: Kestrel with the webhook's TLS setup (TLS 1.2+, HTTP/1.1 and
/// HTTP/2, one shared certificate context per handshake callback) that reads the whole body and answers
/// a fixed AdmissionReview. What /mutate costs beyond this is the webhook's own work.
/// </summary>
internal static class BaselineServer
{
    private static readonly byte[] FixedResponse = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true}}"""u8.ToArray();

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var port = new Uri(builder.Configuration["urls"] ?? "https://127.0.0.1:19444").Port;
        var certificate = X509Certificate2.CreateFromPemFile(builder.Configuration["Tls:CertFile"]!, builder.Configuration["Tls:KeyFile"]!);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, [], offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        };
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(options) });
            });
        });
        await using var app = builder.Build();
        app.Run(async context =>
        {
            // POST /validate also reads the whole body as JSON, token by token, the least any webhook does that must
            // answer undecodable JSON with 400; POST /scan parses it into a JsonDocument as the webhook's
            // AdmissionRequest does, the floor of /mutate's reading; any other path only reads the bytes.
            var check = context.Request.Path.Value switch
            {
                "/validate" => IsJson,
                "/scan" => Scans,
                _ => (Func<System.Buffers.ReadOnlySequence<byte>, bool>?)null,
            };
            while (true)
            {
                var read = await context.Request.BodyReader.ReadAsync(context.RequestAborted);
                if (!read.IsCompleted)
                {
                    context.Request.BodyReader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                    continue;
                }

                if (check is not null && !check(read.Buffer))
                {
                    context.Request.BodyReader.AdvanceTo(read.Buffer.End);
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }

                context.Request.BodyReader.AdvanceTo(read.Buffer.End);
                break;
            }

            context.Response.ContentType = "application/json";
            context.Response.ContentLength = FixedResponse.Length;
            await context.Response.Body.WriteAsync(FixedResponse, context.RequestAborted);
        });
        await app.RunAsync();
        return 0;
    }

    private static bool Scans(System.Buffers.ReadOnlySequence<byte> body)
    {
        // A body spanning pipe segments is copied into a pooled buffer, as AdmissionEndpoint does.
        var rented = body.IsSingleSegment ? null : System.Buffers.ArrayPool<byte>.Shared.Rent((int)body.Length);
        try
        {
            ReadOnlySpan<byte> bytes;
            if (rented is null)
            {
                bytes = body.FirstSpan;
            }
            else
            {
                System.Buffers.BuffersExtensions.CopyTo(body, rented);
                bytes = rented.AsSpan(0, (int)body.Length);
            }

            using var request = Admission.AdmissionRequest.Parse(bytes);
            return true;
        }
        catch (Admission.BadAdmissionRequestException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool IsJson(System.Buffers.ReadOnlySequence<byte> body)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(body);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (Admission.BadAdmissionRequestException)
        {
            return false;
        }
    }
}
